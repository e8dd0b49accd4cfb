// Twitch users by login, as the capabilities that follow channels ask Helix for them (Mood,
// Audience): one definition of a login, of the user Helix answers with, and of asking for many.
import type { HelixClient } from './helix-client.js';

/** a Twitch login as Lurk takes it: lower case, 1 to 25 letters, digits or _ */
export const LOGIN = /^[a-z0-9_]{1,25}$/;

/** logins one Helix `users` call may ask about */
export const MAX_LOGINS_PER_CALL = 100;

/** what Helix `users?login=` answers for each login that exists (the fields Lurk reads) */
export interface TwitchUser {
  id: string;
  login: string;
  display_name: string;
}

/** Helix `users?login=`: the users that exist, up to MAX_LOGINS_PER_CALL logins a call */
export type LookupUsers = (logins: readonly string[]) => Promise<TwitchUser[]>;

/** one Helix `users` call, asked at interactive priority (a person or a start waits for it) */
export async function helixUsers(helix: HelixClient, logins: readonly string[]): Promise<TwitchUser[]> {
  return (await helix.get<{ data: TwitchUser[] }>('users', { login: logins }, { priority: 'interactive' })).data;
}

/** the users of any number of logins, by lower-cased login, MAX_LOGINS_PER_CALL logins a call */
export async function usersByLogin(lookup: LookupUsers, logins: readonly string[]): Promise<Map<string, TwitchUser>> {
  const found = new Map<string, TwitchUser>();
  for (let i = 0; i < logins.length; i += MAX_LOGINS_PER_CALL) for (const u of await lookup(logins.slice(i, i + MAX_LOGINS_PER_CALL))) found.set(u.login.toLowerCase(), u);
  return found;
}
