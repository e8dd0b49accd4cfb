// TMI login (twitch-protocol.md §5.2): anonymous `justinfan<digits>` with any or no PASS, or
// `PASS oauth:<user token>` whose user is the NICK and which carries chat:read.
import type { SimAuth } from '../../auth.js';
import type { World } from '../../world/world.js';

export type LoginResult =
  | { ok: true; anonymous: true; nick: string }
  | { ok: true; anonymous: false; nick: string; user: number; scopes: string[] }
  | { ok: false; reason: 'Login authentication failed' | 'Improperly formatted auth' };

const ANONYMOUS = /^justinfan\d+$/;

export function login(auth: SimAuth, world: World, nickParam: string, pass: string | undefined): LoginResult {
  const nick = nickParam.toLowerCase();
  if (ANONYMOUS.test(nick)) return { ok: true, anonymous: true, nick };
  if (!pass || !/^oauth:\S+$/i.test(pass)) return { ok: false, reason: 'Improperly formatted auth' };
  const token = auth.validate(pass.slice('oauth:'.length));
  if (token?.kind !== 'user' || token.user === undefined) return { ok: false, reason: 'Login authentication failed' };
  if (world.login(token.user) !== nick) return { ok: false, reason: 'Login authentication failed' };
  if (!token.scopes.includes('chat:read')) return { ok: false, reason: 'Login authentication failed' };
  return { ok: true, anonymous: false, nick, user: token.user, scopes: token.scopes };
}
