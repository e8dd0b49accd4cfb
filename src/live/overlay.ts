// Overlay keys: derived, never stored. `<user_id>.<HMAC(user_id|channel_id|generation)>` under a
// key for this purpose only; bumping the favourite's overlay_generation makes the old key fail.
import { signer } from '../core/sealed.js';

export const OVERLAY_PAGE = '/overlay/live';

export function overlayKeys(masterKey: Buffer) {
  const sign = signer(masterKey, 'live-overlay');
  const text = (userId: string, channelId: string, generation: number) => `${userId}|${channelId}|${generation}`;
  return {
    key: (userId: string, channelId: string, generation: number) => `${userId}.${sign.sign(text(userId, channelId, generation))}`,
    /** the user a key names (still to be verified against the favourite's generation) */
    userOf(key: string): string | undefined {
      const dot = key.indexOf('.');
      return dot > 0 ? key.slice(0, dot) : undefined;
    },
    verify(key: string, channelId: string, generation: number): boolean {
      const dot = key.indexOf('.');
      if (dot <= 0) return false;
      return sign.verify(text(key.slice(0, dot), channelId, generation), key.slice(dot + 1));
    },
    url: (login: string, key: string) => `${OVERLAY_PAGE}?${new URLSearchParams({ channel: login, key })}`,
  };
}

export type OverlayKeys = ReturnType<typeof overlayKeys>;
