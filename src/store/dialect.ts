import { sql, type ColumnDataType, type Kysely } from 'kysely';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * The few places where SQLite and PostgreSQL really differ, each named once. Everything
 * else is the same Kysely query on both.
 */
export interface DialectFacts {
  kind: DatabaseKind;
  /** column type for epoch-millisecond timestamps and other 64-bit integers */
  bigint: ColumnDataType;
  /** column type of an auto-incrementing integer primary key */
  serial: ColumnDataType;
  /** bytes used by the database on disk */
  sizeBytes(db: Kysely<any>): Promise<number>;
  /** largest number of bound parameters one statement may carry */
  maxParameters: number;
  /** the hidden column naming a row's place, for deleting in batches without an id column */
  rowLocator: 'rowid' | 'ctid';
  /** lets the planner refresh its statistics (and SQLite fold its write-ahead log back), run hourly */
  optimize(db: Kysely<any>): Promise<void>;
}

export const sqliteFacts: DialectFacts = {
  kind: 'sqlite',
  bigint: 'integer',
  serial: 'integer',
  async sizeBytes(db) {
    const { rows } = await sql<{ size: number }>`select page_count * page_size as size from pragma_page_count(), pragma_page_size()`.execute(db);
    return Number(rows[0]?.size ?? 0);
  },
  // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32
  maxParameters: 32_766,
  rowLocator: 'rowid',
  async optimize(db) {
    await sql`pragma optimize`.execute(db);
    // passive: never waits for readers, so a busy web role is not blocked
    await sql`pragma wal_checkpoint(passive)`.execute(db);
  },
};

export const postgresFacts: DialectFacts = {
  kind: 'postgres',
  bigint: 'bigint',
  serial: 'bigserial',
  async sizeBytes(db) {
    const { rows } = await sql<{ size: string }>`select pg_database_size(current_database()) as size`.execute(db);
    return Number(rows[0]?.size ?? 0);
  },
  // the wire protocol counts parameters in an unsigned 16-bit field
  maxParameters: 65_535,
  rowLocator: 'ctid',
  async optimize(db) {
    await sql`analyze`.execute(db);
  },
};
