// tmi.js 1.8.5's parser, the anchor the chat and Mood benches time Lurk's parser against.
import { createRequire } from 'node:module';

export interface TmiParser {
  msg(line: string): { tags: Record<string, unknown> } | null;
  badges(tags: Record<string, unknown>): Record<string, unknown>;
  badgeInfo(tags: Record<string, unknown>): Record<string, unknown>;
  emotes(tags: Record<string, unknown>): Record<string, unknown>;
}

export const tmi = createRequire(import.meta.url)('tmi.js/lib/parser.js') as TmiParser;
