// Overlay keys: derived, never stored. `<user_id>.<HMAC(user_id|channel_id|salt)>` under a key
// for this purpose only. The salt is the favourite's random overlay_salt, new when the favourite
// is added and on every rotate: a rotated key fails, and so does every key of a favourite that
// was removed and added again.
import { signer } from '../core/sealed.js';

export const OVERLAY_PAGE = '/overlay/live';

export function overlayKeys(masterKey: Buffer) {
  const sign = signer(masterKey, 'live-overlay');
  const text = (userId: string, channelId: string, salt: string) => `${userId}|${channelId}|${salt}`;
  return {
    key: (userId: string, channelId: string, salt: string) => `${userId}.${sign.sign(text(userId, channelId, salt))}`,
    /** the user a key names (still to be verified against the favourite's salt) */
    userOf(key: string): string | undefined {
      const dot = key.indexOf('.');
      return dot > 0 ? key.slice(0, dot) : undefined;
    },
    verify(key: string, channelId: string, salt: string): boolean {
      const dot = key.indexOf('.');
      if (dot <= 0) return false;
      return sign.verify(text(key.slice(0, dot), channelId, salt), key.slice(dot + 1));
    },
    url: (login: string, key: string) => `${OVERLAY_PAGE}?${new URLSearchParams({ channel: login, key })}`,
  };
}

export type OverlayKeys = ReturnType<typeof overlayKeys>;
