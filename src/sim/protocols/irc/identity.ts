// What chat shows about a user: login, display name, colour and badges. Nothing of this is stored
// in the world; it is derived from the user's index (and the channel, for channel roles), so the
// same user looks the same on every connection and in every run with the same seed.
import type { World } from '../../world/world.js';
import { hash32 } from '../../world/random.js';

/** Twitch's default name colours, given to users who never picked one */
const DEFAULT_COLORS = ['#FF0000', '#0000FF', '#008000', '#B22222', '#FF7F50', '#9ACD32', '#FF4500', '#2E8B57', '#DAA520', '#D2691E', '#5F9EA0', '#1E90FF', '#FF69B4', '#8A2BE2', '#00FF7F'];
const BITS_TIERS = [100_000, 75_000, 50_000, 25_000, 10_000, 5_000, 1_000, 100, 1];
const SUB_BADGE_MONTHS = [72, 60, 54, 48, 42, 36, 30, 24, 18, 12, 9, 6, 3, 2];

/** a user as chat sees them everywhere (cached per user) */
export interface ChatUser {
  index: number;
  id: string;
  login: string;
  displayName: string;
  /** `login!login@login.tmi.twitch.tv` */
  source: string;
  /** '' for users who never chose a colour */
  color: string;
  /** global badges (premium, turbo) in Twitch's order, e.g. `premium/1` */
  globalBadge: string;
  turbo: boolean;
}

/** a user's standing in one channel */
export interface ChannelRole {
  broadcaster: boolean;
  mod: boolean;
  vip: boolean;
  /** cumulative subscription months, 0 when not subscribed */
  subMonths: number;
}

/** `subscriber/<version>` as Twitch numbers the default badge (tier 2 and 3 add 2000 / 3000) */
export function subBadgeVersion(months: number, tier: '1000' | '2000' | '3000' = '1000'): number {
  const step = SUB_BADGE_MONTHS.find((m) => months >= m) ?? 0;
  return (tier === '2000' ? 2000 : tier === '3000' ? 3000 : 0) + step;
}

/** the highest bits badge a cheer of `bits` earns */
export function bitsBadgeVersion(bits: number): number {
  return BITS_TIERS.find((t) => bits >= t) ?? 1;
}

export class Identities {
  private readonly users: (ChatUser | undefined)[] = [];

  constructor(private readonly world: World) {}

  user(index: number): ChatUser {
    let u = this.users[index];
    if (!u) {
      u = this.derive(index);
      // a dense array of the users who ever showed up in chat; bounded by the world's user count
      this.users[index] = u;
    }
    return u;
  }

  role(user: number, channel: number): ChannelRole {
    if (user === channel) return { broadcaster: true, mod: false, vip: false, subMonths: 0 };
    const h = hash32(user, channel, 0x5eed);
    const roll = h % 1000;
    return {
      broadcaster: false,
      mod: roll < 15,
      vip: roll >= 15 && roll < 35,
      subMonths: (h >>> 10) % 100 < 22 ? 1 + ((h >>> 17) % 40) : 0,
    };
  }

  private derive(index: number): ChatUser {
    const login = this.world.login(index);
    const h = hash32(index, 0xc01a);
    const color = h % 10 === 0 ? '' : h % 3 === 0 ? DEFAULT_COLORS[(h >>> 4) % DEFAULT_COLORS.length]! : '#' + ((h >>> 8) & 0xffffff).toString(16).toUpperCase().padStart(6, '0');
    const turbo = (h >>> 12) % 100 === 0;
    const premium = !turbo && (h >>> 20) % 100 < 12;
    return {
      index,
      id: this.world.userId(index),
      login,
      displayName: this.world.displayName(index),
      source: `${login}!${login}@${login}.tmi.twitch.tv`,
      color,
      globalBadge: turbo ? 'turbo/1' : premium ? 'premium/1' : '',
      turbo,
    };
  }
}

/** the `badges` and `badge-info` tag values for a user in a channel */
export function badgesFor(user: ChatUser, role: ChannelRole, bits = 0, tier: '1000' | '2000' | '3000' = '1000'): { badges: string; badgeInfo: string } {
  let badges = role.broadcaster ? 'broadcaster/1' : role.mod ? 'moderator/1' : role.vip ? 'vip/1' : '';
  let badgeInfo = '';
  if (role.subMonths > 0) {
    badges += (badges ? ',' : '') + 'subscriber/' + subBadgeVersion(role.subMonths, tier);
    badgeInfo = 'subscriber/' + role.subMonths;
  }
  if (bits > 0) badges += (badges ? ',' : '') + 'bits/' + bitsBadgeVersion(bits);
  if (user.globalBadge) badges += (badges ? ',' : '') + user.globalBadge;
  return { badges, badgeInfo };
}
