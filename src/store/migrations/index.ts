import type { Migration, MigrationProvider } from 'kysely';
import type { DialectFacts } from '../dialect.js';
import { foundation } from './0001_foundation.js';
import { discover } from './0002_discover.js';
import { watchtime } from './0003_watchtime.js';
import { outbox } from './0004_outbox.js';
import { eventsub } from './0005_eventsub.js';
import { mood } from './0006_mood.js';
import { audience } from './0007_audience.js';
import { live } from './0008_live.js';

// Schema migrations in order. Names sort lexically; never rename or edit a landed one,
// add a new one instead.
export function schemaMigrations(facts: DialectFacts): Record<string, Migration> {
  return {
    '0001_foundation': foundation(facts),
    '0002_discover': discover(facts),
    '0003_watchtime': watchtime(facts),
    '0004_outbox': outbox(facts),
    '0005_eventsub': eventsub(facts),
    '0006_mood': mood(facts),
    '0007_audience': audience(facts),
    '0008_live': live(facts),
  };
}

export class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly facts: DialectFacts) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return schemaMigrations(this.facts);
  }
}
