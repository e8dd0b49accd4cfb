// Twitch's server lines, built from the world (samples in twitch-protocol.md §5.2–5.4). Each line
// is built once, in two variants (with IRCv3 tags and without), and shared by every connection.
import type { ChatMessage, WorldEvent } from '../../world/types.js';
import { badgesFor, type ChannelRole, type ChatUser, type Identities } from './identity.js';
import { escapeTag, formatTags } from '../../../twitch/irc-message.js';
import { hash32 } from '../../world/random.js';

export const SERVER = 'tmi.twitch.tv';

/** what a client must have requested to receive a line */
export const Needs = {
  Nothing: 0,
  /** twitch.tv/commands: USERNOTICE, ROOMSTATE, USERSTATE, CLEARCHAT, CLEARMSG, NOTICE, RECONNECT */
  Commands: 1,
  /** twitch.tv/membership: other users' JOIN/PART, NAMES */
  Membership: 2,
} as const;
export type Needs = (typeof Needs)[keyof typeof Needs];

/** one server line, CRLF-terminated, with and without its tags */
export interface Line {
  tagged: string;
  plain: string;
  needs: Needs;
}

export function line(tags: string, body: string, needs: Needs = Needs.Nothing): Line {
  const plain = body + '\r\n';
  return { tagged: tags ? '@' + tags + ' ' + plain : plain, plain, needs };
}

/** a room as chat names it */
export interface RoomName {
  channel: number;
  /** `#login` */
  name: string;
  /** the broadcaster's user id (room-id) */
  id: string;
  login: string;
  displayName: string;
}

/** the one PRIVMSG line per world message: the hot path, so a plain template, no generic tag code */
export function privmsg(ids: Identities, room: RoomName, m: ChatMessage): Line {
  const u = ids.user(m.user);
  const role = ids.role(m.user, m.channel);
  const { badges, badgeInfo } = badgesFor(u, role, m.bits ?? 0);
  const bits = m.bits ? `bits=${m.bits};` : '';
  // a stable few of the regulars count as returning chatters
  const returning = !m.firstMsg && hash32(m.user, 0x7e7) % 16 === 0 ? 1 : 0;
  const tags =
    `badge-info=${badgeInfo};badges=${badges};${bits}color=${u.color};display-name=${escapeTag(u.displayName)};emotes=${m.emotes};` +
    `first-msg=${m.firstMsg ? 1 : 0};flags=;id=${m.id};mod=${role.mod ? 1 : 0};returning-chatter=${returning};room-id=${room.id};` +
    `subscriber=${role.subMonths > 0 ? 1 : 0};tmi-sent-ts=${m.at};turbo=${u.turbo ? 1 : 0};user-id=${u.id};user-type=${role.mod ? 'mod' : ''}` +
    (role.vip ? ';vip=1' : '');
  return line(tags, `:${u.source} PRIVMSG ${room.name} :${m.text}`);
}

/** a message a logged-in client sent, as the other connections in the room see it */
export function clientPrivmsg(ids: Identities, room: RoomName, user: number, id: string, text: string, at: number): Line {
  return privmsg(ids, room, { id, at, channel: room.channel, user, text, sentiment: 'neutral', emotes: '', firstMsg: false });
}

export function membership(user: ChatUser, room: RoomName, kind: 'JOIN' | 'PART'): Line {
  return line('', `:${user.source} ${kind} ${room.name}`, Needs.Membership);
}

/** a client's own JOIN/PART echo, which Twitch always sends */
export function ownMembership(nick: string, room: RoomName, kind: 'JOIN' | 'PART'): Line {
  return line('', `:${nick}!${nick}@${nick}.tmi.twitch.tv ${kind} ${room.name}`);
}

/** NAMES (353/366): at most `perLine` names per 353 line */
export function names(nick: string, room: RoomName, logins: string[], perLine = 60): Line[] {
  const out: Line[] = [];
  const src = `:${nick}.tmi.twitch.tv`;
  for (let i = 0; i < logins.length; i += perLine) out.push(line('', `${src} 353 ${nick} = ${room.name} :${logins.slice(i, i + perLine).join(' ')}`, Needs.Membership));
  out.push(line('', `${src} 366 ${nick} ${room.name} :End of /NAMES list`, Needs.Membership));
  return out;
}

/** the full room state sent on join: twurple needs `subs-only` and `slow` in it */
export function roomstate(room: RoomName): Line {
  return line(`emote-only=0;followers-only=-1;r9k=0;rituals=0;room-id=${room.id};slow=0;subs-only=0`, `:${SERVER} ROOMSTATE ${room.name}`, Needs.Commands);
}

/** USERSTATE for a client in a room (after JOIN and after each PRIVMSG it sends) */
export function userstate(room: RoomName, who: { user: ChatUser; role: ChannelRole } | { nick: string }, sentId?: string): Line {
  const tags: [string, string | number][] = [];
  if ('nick' in who) {
    tags.push(['badge-info', ''], ['badges', ''], ['color', ''], ['display-name', who.nick], ['emote-sets', '0'], ['mod', 0], ['subscriber', 0], ['user-type', '']);
  } else {
    const { badges, badgeInfo } = badgesFor(who.user, who.role);
    tags.push(['badge-info', badgeInfo], ['badges', badges], ['color', who.user.color], ['display-name', who.user.displayName], ['emote-sets', '0']);
    if (sentId) tags.push(['id', sentId]);
    tags.push(['mod', who.role.mod ? 1 : 0], ['subscriber', who.role.subMonths > 0 ? 1 : 0], ['user-type', who.role.mod ? 'mod' : '']);
  }
  return line(formatTags(tags), `:${SERVER} USERSTATE ${room.name}`, Needs.Commands);
}

export function globaluserstate(user: ChatUser): Line {
  const tags = formatTags([
    ['badge-info', ''],
    ['badges', user.globalBadge],
    ['color', user.color],
    ['display-name', user.displayName],
    ['emote-sets', '0'],
    ['user-id', user.id],
    ['user-type', ''],
  ]);
  return line(tags, `:${SERVER} GLOBALUSERSTATE`, Needs.Commands);
}

/** a NOTICE; `target` is `#channel` or `*` */
export function notice(target: string, text: string, msgId?: string, needs: Needs = Needs.Commands): Line {
  return line(msgId ? `msg-id=${msgId}` : '', `:${SERVER} NOTICE ${target} :${text}`, needs);
}

export function numeric(code: string, nick: string, rest: string): Line {
  return line('', `:${SERVER} ${code} ${nick} ${rest}`);
}

/** 001–004 and the MOTD (375/372/376) Twitch sends after a successful login */
export function welcome(nick: string): Line[] {
  return [
    numeric('001', nick, ':Welcome, GLHF!'),
    numeric('002', nick, `:Your host is ${SERVER}`),
    numeric('003', nick, ':This server is rather new'),
    numeric('004', nick, ':-'),
    numeric('375', nick, ':-'),
    numeric('372', nick, ':You are in a maze of twisty passages, all alike.'),
    numeric('376', nick, ':>'),
  ];
}

export const RECONNECT: Line = line('', `:${SERVER} RECONNECT`, Needs.Commands);
export const PING: Line = line('', `PING :${SERVER}`);

export function clearmsg(room: RoomName, login: string, m: ChatMessage, at: number): Line {
  return line(`login=${login};room-id=${room.id};target-msg-id=${m.id};tmi-sent-ts=${at}`, `:${SERVER} CLEARMSG ${room.name} :${m.text}`, Needs.Commands);
}

/** a timeout of `seconds` (a ban when undefined) */
export function clearchat(room: RoomName, user: ChatUser, at: number, seconds?: number): Line {
  const duration = seconds === undefined ? '' : `ban-duration=${seconds};`;
  return line(`${duration}room-id=${room.id};target-user-id=${user.id};tmi-sent-ts=${at}`, `:${SERVER} CLEARCHAT ${room.name} :${user.login}`, Needs.Commands);
}

// ---------------------------------------------------------------- USERNOTICE

const TIER_NAMES: Record<string, string> = { '1000': 'Tier 1', '2000': 'Tier 2', '3000': 'Tier 3' };
/** who Twitch names as the sender of anonymous gifts */
export const ANONYMOUS_GIFTER = { id: '274598607', login: 'ananonymousgifter', displayName: 'AnAnonymousGifter' };

type Tags = [string, string | number][];

/** the tags every USERNOTICE carries for its acting user, in Twitch's (alphabetical) order */
function userNotice(
  room: RoomName,
  e: WorldEvent,
  sender: { id: string; login: string; displayName: string; color: string; badges: string; badgeInfo: string; subscriber: boolean },
  msgId: string,
  params: Tags,
  systemMsg: string,
  text?: string,
): Line {
  const tags: Tags = [
    ['badge-info', sender.badgeInfo],
    ['badges', sender.badges],
    ['color', sender.color],
    ['display-name', sender.displayName],
    ['emotes', ''],
    ['flags', ''],
    ['id', e.id],
    ['login', sender.login],
    ['mod', 0],
    ['msg-id', msgId],
    ...params.sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    ['room-id', room.id],
    ['subscriber', sender.subscriber ? 1 : 0],
    ['system-msg', systemMsg],
    ['tmi-sent-ts', e.at],
    ['user-id', sender.id],
    ['user-type', ''],
  ];
  return line(formatTags(tags), `:${SERVER} USERNOTICE ${room.name}` + (text ? ` :${text}` : ''), Needs.Commands);
}

function sender(ids: Identities, room: RoomName, user: number, subMonths = 0, tier: '1000' | '2000' | '3000' = '1000') {
  const u = ids.user(user);
  const role = { ...ids.role(user, room.channel), subMonths };
  const { badges, badgeInfo } = badgesFor(u, role, 0, tier);
  return { id: u.id, login: u.login, displayName: u.displayName, color: u.color, badges, badgeInfo, subscriber: subMonths > 0 };
}

function planParams(room: RoomName, tier: string): Tags {
  return [
    ['msg-param-sub-plan', tier],
    ['msg-param-sub-plan-name', `Channel Subscription (${room.login})`],
  ];
}

/** `sub` (channel.subscribe, not a gift) or `resub` (channel.subscription.message) */
export function subNotice(ids: Identities, room: RoomName, e: WorldEvent): Line {
  const tier = e.tier ?? '1000';
  const months = e.type === 'channel.subscription.message' ? Math.max(1, e.cumulativeMonths ?? 1) : 1;
  const from = sender(ids, room, e.user!, months, tier);
  const streak = e.streakMonths ?? 0;
  const shareStreak = e.type === 'channel.subscription.message' && streak > 1;
  const params: Tags = [
    ['msg-param-cumulative-months', months],
    ['msg-param-months', 0],
    ['msg-param-multimonth-duration', 1],
    ['msg-param-multimonth-tenure', 0],
    ['msg-param-should-share-streak', shareStreak ? 1 : 0],
    ...planParams(room, tier),
    ['msg-param-was-gifted', 'false'],
  ];
  if (shareStreak) params.push(['msg-param-streak-months', streak]);
  let system = `${from.displayName} subscribed at ${TIER_NAMES[tier]}.`;
  if (months > 1) system += ` They've subscribed for ${months} months` + (shareStreak ? `, currently on a ${streak} month streak!` : '!');
  return userNotice(room, e, from, months > 1 ? 'resub' : 'sub', params, system, e.message || undefined);
}

/** `subgift`: one recipient of a (possibly anonymous) gift; `originId` ties it to its submysterygift */
export function subGiftNotice(ids: Identities, room: RoomName, e: WorldEvent, originId: string, partOfMysteryGift: boolean): Line {
  const tier = e.tier ?? '1000';
  const recipient = ids.user(e.user!);
  const from = e.gifter === undefined ? { ...ANONYMOUS_GIFTER, color: '', badges: '', badgeInfo: '', subscriber: false } : sender(ids, room, e.gifter);
  const params: Tags = [
    ['msg-param-gift-months', 1],
    ['msg-param-months', 1],
    ['msg-param-origin-id', originId],
    ['msg-param-recipient-display-name', recipient.displayName],
    ['msg-param-recipient-id', recipient.id],
    ['msg-param-recipient-user-name', recipient.login],
    ['msg-param-sender-count', partOfMysteryGift ? 0 : 1],
    ...planParams(room, tier),
  ];
  const who = e.gifter === undefined ? 'An anonymous user' : from.displayName;
  return userNotice(room, e, from, 'subgift', params, `${who} gifted a ${TIER_NAMES[tier]} sub to ${recipient.displayName}!`);
}

/** `submysterygift`: a gift bomb (channel.subscription.gift) */
export function mysteryGiftNotice(ids: Identities, room: RoomName, e: WorldEvent, originId: string): Line {
  const tier = e.tier ?? '1000';
  const count = e.total ?? 1;
  const anonymous = e.anonymous || e.user === undefined;
  const from = anonymous ? { ...ANONYMOUS_GIFTER, color: '', badges: '', badgeInfo: '', subscriber: false } : sender(ids, room, e.user!);
  const params: Tags = [
    ['msg-param-mass-gift-count', count],
    ['msg-param-origin-id', originId],
    ['msg-param-sub-plan', tier],
  ];
  if (!anonymous) params.push(['msg-param-sender-count', count]);
  const who = anonymous ? 'An anonymous user' : from.displayName;
  const system =
    `${who} is gifting ${count} ${TIER_NAMES[tier]} Sub${count === 1 ? '' : 's'} to ${room.displayName}'s community!` + (anonymous ? '' : ` They've gifted a total of ${count} in the channel!`);
  return userNotice(room, e, from, 'submysterygift', params, system);
}

/** `raid`: shown in the raided channel's room; the raider is the raiding broadcaster */
export function raidNotice(ids: Identities, room: RoomName, e: WorldEvent): Line {
  const from = sender(ids, room, e.channel);
  const viewers = e.viewers ?? 0;
  const params: Tags = [
    ['msg-param-displayName', from.displayName],
    ['msg-param-login', from.login],
    ['msg-param-profileImageURL', `https://static-cdn.jtvnw.net/jtv_user_pictures/${from.login}-profile_image-70x70.png`],
    ['msg-param-viewerCount', viewers],
  ];
  return userNotice(room, e, from, 'raid', params, `${viewers} raiders from ${from.displayName} have joined!`);
}
