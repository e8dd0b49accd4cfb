#!/usr/bin/env node
// Lurk runs its TypeScript sources through tsx (no separate compile step on Node 20).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
