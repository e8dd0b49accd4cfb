// Lurk's master key: one secret every other secret is derived from (EventSub webhook secrets
// today, the key that encrypts stored tokens later). Set it with LURK_SECRET_KEY, or Lurk makes
// one the first time and keeps it in the data folder, readable by its owner only, so a restart
// derives the same secrets.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SettingError } from './setting-error.js';

export const SECRET_KEY_FILE = 'secret.key';
/** 32 random bytes, written as 64 hex digits */
const KEY_BYTES = 32;

export interface SecretKeySource {
  /** LURK_SECRET_KEY, when set */
  configured?: string | undefined;
  /** the folder `secret.key` lives in; undefined: nothing durable to keep it beside (an in-memory database) */
  dir?: string | undefined;
}

/** where the key is kept: beside the SQLite file, else `./data` (PostgreSQL); none for an in-memory database */
export function secretKeyDir(database: { kind: 'sqlite' | 'postgres'; sqlitePath?: string }, cwd: string): string | undefined {
  if (database.kind === 'postgres') return path.resolve(cwd, 'data');
  if (!database.sqlitePath || database.sqlitePath === ':memory:') return undefined;
  return path.dirname(database.sqlitePath);
}

/**
 * The master key as bytes. A configured key is used as given; otherwise `<dir>/secret.key` is
 * read, or created with mode 0600 when absent. Without a folder (an in-memory database, which a
 * restart loses anyway) the key lives only as long as the process.
 */
export function loadSecretKey(source: SecretKeySource): Buffer {
  if (source.configured) return Buffer.from(source.configured, 'utf8');
  if (!source.dir) return randomBytes(KEY_BYTES);
  const file = path.join(source.dir, SECRET_KEY_FILE);
  const bad = (message: string) => new SettingError('LURK_SECRET_KEY', `${message}; set LURK_SECRET_KEY or fix the file`);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw bad(`cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  if (text !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(text)) throw bad(`${file} does not hold a key (64 hex digits)`);
    // a key others can read is no secret: tightened rather than refused, since the owner made it so
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return Buffer.from(text, 'hex');
  }
  mkdirSync(source.dir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // wx: two processes starting together cannot both write one; the loser reads the winner's
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(source);
    throw bad(`cannot create ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  return key;
}
