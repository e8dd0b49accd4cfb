// Secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from Lurk's master key for one
// purpose, so a key for tokens is never the key for anything else. A sealed value is
// `v1.<iv>.<ciphertext>.<tag>` in base64url; opening a value changed by one bit throws.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

export interface Sealer {
  seal(plain: string): string;
  /** throws on a value not sealed by this key and purpose, or altered */
  open(sealed: string): string;
}

/** a 32-byte key for `purpose`, derived from the master key */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `lurk:${purpose}`, 32));
}

export function createSealer(masterKey: Buffer, purpose: string): Sealer {
  const key = deriveKey(masterKey, purpose);
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || body === undefined || !tag) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** a secret compared without leaking through timing how much of it a guess got right */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // the lengths differ only for a wrong guess, and the length of a token or signature is no secret
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HMAC-SHA256 of `text` under the key for `purpose`, base64url (cookie signatures, overlay keys) */
export function signer(masterKey: Buffer, purpose: string): { sign(text: string): string; verify(text: string, signature: string): boolean } {
  const key = deriveKey(masterKey, purpose);
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  return {
    sign,
    verify: (text, signature) => sameSecret(signature, sign(text)),
  };
}
