import { accessSync, constants, existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type LogEvent, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { SettingError } from '../config/setting-error.js';
import type { DatabaseKind, DialectFacts } from './dialect.js';
import { postgresFacts, sqliteFacts } from './dialect.js';
import { CodeMigrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export interface StoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` */
  url: string;
  /** called for every failed query (metrics count them) */
  onQueryError?: (err: unknown) => void;
  /** PostgreSQL pool size */
  poolSize?: number;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/** A connected database: the Kysely handle plus what differs between the two dialects. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  readonly facts: DialectFacts;
  /** a short description without credentials, e.g. `sqlite ./data/lurk.db` */
  readonly label: string;
  /** the SQLite file, when there is one */
  readonly sqlitePath?: string;
  /** answers when the database does (the readiness check) */
  ping(): Promise<void>;
  /** hourly upkeep: refreshes the planner's statistics (see DialectFacts.optimize) */
  optimize(): Promise<void>;
  migrate(): Promise<MigrationReport>;
  /** names of migrations not yet applied */
  pendingMigrations(): Promise<string[]>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

// pg returns int8 as strings by default; Lurk's bigints are epoch milliseconds and counters
// well inside 2^53, so numbers are both safe and what callers expect.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function logger(onQueryError?: (err: unknown) => void) {
  return (event: LogEvent) => {
    if (event.level === 'error') onQueryError?.(event.error);
  };
}

function describeMigrationError(results: MigrationResultSet): Error {
  const failed = results.results?.find((r) => r.status === 'Error');
  const err = results.error instanceof Error ? results.error : new Error(String(results.error));
  err.message = `migration ${failed?.migrationName ?? '(unknown)'} failed: ${err.message}`;
  return err;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.url.startsWith('sqlite:')) return openSqlite(options);
  if (/^postgres(ql)?:\/\//.test(options.url)) return openPostgres(options);
  throw new Error(`unsupported database URL ${options.url.split(':')[0]}:…`);
}

function buildStore(db: Kysely<Database>, facts: DialectFacts, label: string, close: () => Promise<void>, sqlitePath?: string): Store {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider(facts), migrationTableName: 'lurk_schema_migrations', migrationLockTableName: 'lurk_schema_migrations_lock' });
  return {
    db,
    kind: facts.kind,
    facts,
    label,
    ...(sqlitePath ? { sqlitePath } : {}),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async migrate() {
      const before = await migrator.getMigrations();
      const results = await migrator.migrateToLatest();
      if (results.error) throw describeMigrationError(results);
      return {
        applied: (results.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
        alreadyApplied: before.filter((m) => m.executedAt !== undefined).length,
      };
    },
    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    sizeBytes: () => facts.sizeBytes(db),
    optimize: () => facts.optimize(db),
    close,
  };
}

/** Kernel filesystems (statfs f_type) that hold no database: SQLite fails there, and Node's recursive mkdir spins forever in /proc. */
const PSEUDO_FILESYSTEMS = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6e736673, 'nsfs'],
  [0x42494e4d, 'binfmt_misc'],
]);

/**
 * Makes the SQLite file's folder, or says why it cannot (SettingError naming DATABASE_URL): the
 * nearest existing ancestor must be a folder on a real filesystem, the folder writable, and the
 * file, if there, a regular file. Folders are created one level at a time, so the work is bounded
 * by the path's depth.
 */
function prepareSqliteFile(file: string): void {
  const dir = path.dirname(file);
  const missing: string[] = [];
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  const bad = (message: string) => new SettingError('DATABASE_URL', `${message}; point sqlite: at a file in a writable folder`);
  if (!statSync(existing).isDirectory()) throw bad(`${existing} is a file, not a folder`);
  const kind = PSEUDO_FILESYSTEMS.get(Number(statfsSync(existing).type));
  if (kind) throw bad(`${existing} is on the ${kind} filesystem, which cannot hold a database`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw bad(`cannot create the folder ${folder} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw bad(`the folder ${dir} is not writable`);
  }
  if (existsSync(file) && !statSync(file).isFile()) throw bad(`${file} is not a regular file`);
}

async function openSqlite(options: StoreOptions): Promise<Store> {
  const target = options.url.slice('sqlite:'.length);
  const memory = target === ':memory:';
  const file = memory ? ':memory:' : path.resolve(target);
  if (!memory) prepareSqliteFile(file);
  const connection = new BetterSqlite3(file);
  try {
    if (!memory) connection.pragma('journal_mode = WAL');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('foreign_keys = ON');
    // With WAL, NORMAL keeps the database consistent after a crash and only risks the
    // last transactions on power loss; FULL would fsync every commit.
    connection.pragma('synchronous = NORMAL');
  } catch (err) {
    connection.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }), log: logger(options.onQueryError) });
  return buildStore(db, sqliteFacts, `sqlite ${memory ? ':memory:' : path.relative(process.cwd(), file) || file}`, () => db.destroy(), memory ? undefined : file);
}

async function openPostgres(options: StoreOptions): Promise<Store> {
  const url = new URL(options.url);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types: pgTypes, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onQueryError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: logger(options.onQueryError) });
  const label = `postgres ${url.hostname}:${url.port || 5432}${url.pathname}`;
  return buildStore(db, postgresFacts, label, () => db.destroy());
}
