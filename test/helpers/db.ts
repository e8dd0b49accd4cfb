import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.LURK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

export async function tempSqlite(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lurk-test-'));
  return { kind: 'sqlite', url: `sqlite:${path.join(dir, 'lurk.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** A freshly created PostgreSQL database with a random name, dropped by `drop()`. */
export async function tempPostgres(): Promise<TestDatabase> {
  const name = `lurk_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const dialects = [
  { kind: 'sqlite' as const, create: tempSqlite },
  { kind: 'postgres' as const, create: tempPostgres },
];

/**
 * Runs `fn` once per dialect, each with a database of its own that is removed afterwards:
 * SQLite in a temp file, PostgreSQL in a fresh randomly named database.
 */
export async function withEachDialect(t: { test: (name: string, fn: () => Promise<void>) => Promise<void> }, fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  for (const d of dialects) {
    await t.test(d.kind, async () => {
      const db = await d.create();
      try {
        await fn(db);
      } finally {
        await db.drop();
      }
    });
  }
}
