// The first chat parser, kept as the lean one's reference: every line goes through the generic
// parseLine (a Map of unescaped tags), simple enough to trust by reading. The agreement test
// feeds both the same simulator lines and wants the same events, field for field.
import { type IrcMessage, parseLine } from '../../../src/twitch/irc-message.js';
import type { ChatClear, ChatEmote, ChatMessage, ChatNotice } from '../../../src/twitch/chat/events.js';
import type { ParsedLine } from '../../../src/twitch/chat/parser.js';

/**
 * Parses one line (without CR/LF). JOIN/PART come back as membership events whatever the nick,
 * the pool's own included (it recognises its nick); 353 lines as `names`.
 */
export function referenceParse(line: string, receivedAt: number): ParsedLine {
  const msg = parseLine(line);
  if (!msg) return { kind: 'malformed', reason: 'no command' };
  switch (msg.command) {
    case 'PRIVMSG':
      return privmsg(msg, receivedAt);
    case 'USERNOTICE':
      return usernotice(msg, receivedAt);
    case 'CLEARCHAT':
    case 'CLEARMSG':
      return clear(msg, receivedAt);
    case 'JOIN':
    case 'PART': {
      const channel = channelOf(msg.params[0]);
      if (!channel) return { kind: 'malformed', reason: `${msg.command} without a channel` };
      return { kind: 'membership', event: { channel, kind: msg.command === 'JOIN' ? 'join' : 'part', users: [nickOf(msg.prefix)], receivedAt } };
    }
    case '353': {
      const channel = channelOf(msg.params[2]);
      if (!channel) return { kind: 'malformed', reason: '353 without a channel' };
      return { kind: 'membership', event: { channel, kind: 'names', users: (msg.params[3] ?? '').split(' ').filter(Boolean), receivedAt } };
    }
    default:
      return { kind: 'other', message: msg };
  }
}

function privmsg(msg: IrcMessage, receivedAt: number): ParsedLine {
  const channel = channelOf(msg.params[0]);
  if (!channel || msg.params.length < 2) return { kind: 'malformed', reason: 'PRIVMSG without a channel or text' };
  const t = msg.tags;
  let text = msg.params[1]!;
  let action = false;
  if (text.startsWith('\u0001ACTION ') && text.endsWith('\u0001')) {
    text = text.slice(8, -1);
    action = true;
  }
  const user = nickOf(msg.prefix);
  const badges = badgeMap(t.get('badges'));
  const parentId = t.get('reply-parent-msg-id');
  const event: ChatMessage = {
    id: t.get('id') ?? '',
    channel,
    channelId: t.get('room-id') ?? '',
    userId: t.get('user-id') ?? '',
    user,
    displayName: t.get('display-name') || user,
    text,
    action,
    // the /me wrapper is not counted in Twitch's positions
    emotes: emoteOffsets(t.get('emotes'), text),
    bits: toInt(t.get('bits')),
    badges,
    roles: {
      broadcaster: 'broadcaster' in badges,
      mod: t.get('mod') === '1' || 'moderator' in badges,
      vip: t.has('vip') || 'vip' in badges,
      subscriber: t.get('subscriber') === '1' || 'subscriber' in badges || 'founder' in badges,
    },
    color: t.get('color') ?? '',
    firstMessage: t.get('first-msg') === '1',
    returningChatter: t.get('returning-chatter') === '1',
    sentAt: toInt(t.get('tmi-sent-ts')) || receivedAt,
    receivedAt,
  };
  if (parentId) {
    event.reply = {
      parentId,
      parentUser: t.get('reply-parent-user-login') ?? '',
      parentDisplayName: t.get('reply-parent-display-name') ?? '',
      parentText: t.get('reply-parent-msg-body') ?? '',
    };
  }
  return { kind: 'message', event };
}

function usernotice(msg: IrcMessage, receivedAt: number): ParsedLine {
  const channel = channelOf(msg.params[0]);
  const t = msg.tags;
  const kind = t.get('msg-id');
  if (!channel || !kind) return { kind: 'malformed', reason: 'USERNOTICE without a channel or msg-id' };
  const params: Record<string, string> = {};
  for (const [key, value] of t) if (key.startsWith('msg-param-')) params[key.slice(10)] = value;
  const text = msg.params[1] ?? '';
  const login = t.get('login') ?? '';
  const event: ChatNotice = {
    id: t.get('id') ?? '',
    channel,
    channelId: t.get('room-id') ?? '',
    kind,
    userId: t.get('user-id') ?? '',
    user: login,
    displayName: t.get('display-name') || login,
    text,
    emotes: emoteOffsets(t.get('emotes'), text),
    systemText: t.get('system-msg') ?? '',
    params,
    sentAt: toInt(t.get('tmi-sent-ts')) || receivedAt,
    receivedAt,
  };
  if (params['sub-plan']) event.plan = params['sub-plan'];
  const months = params['cumulative-months'] ?? (kind === 'sub' || kind === 'resub' ? params.months : undefined);
  if (months !== undefined) event.months = toInt(months);
  if (params['recipient-id']) {
    event.recipient = { id: params['recipient-id'], login: params['recipient-user-name'] ?? '', displayName: params['recipient-display-name'] ?? params['recipient-user-name'] ?? '' };
  }
  if (params['mass-gift-count'] !== undefined) event.giftCount = toInt(params['mass-gift-count']);
  if (params.viewerCount !== undefined) event.viewers = toInt(params.viewerCount);
  return { kind: 'notice', event };
}

function clear(msg: IrcMessage, receivedAt: number): ParsedLine {
  const channel = channelOf(msg.params[0]);
  if (!channel) return { kind: 'malformed', reason: `${msg.command} without a channel` };
  const t = msg.tags;
  const base = { channel, channelId: t.get('room-id') ?? '', sentAt: toInt(t.get('tmi-sent-ts')) || receivedAt, receivedAt };
  if (msg.command === 'CLEARMSG') {
    return { kind: 'clear', event: { ...base, kind: 'message', targetUser: t.get('login') ?? '', targetMessageId: t.get('target-msg-id') ?? '' } };
  }
  const target = msg.params[1];
  if (!target) return { kind: 'clear', event: { ...base, kind: 'all' } };
  const duration = t.get('ban-duration');
  const event: ChatClear = { ...base, kind: duration === undefined ? 'ban' : 'timeout', targetUser: target, targetUserId: t.get('target-user-id') ?? '' };
  if (duration !== undefined) event.durationSeconds = toInt(duration);
  return { kind: 'clear', event };
}

/**
 * The `emotes` tag (`id:start-end,start-end/id2:…`, inclusive positions counted in Unicode code
 * points, as twurple's parser reads them) as UTF-16 offsets into `text`. Ranges that fall outside
 * the text are dropped rather than trusted.
 */
function emoteOffsets(tag: string | undefined, text: string): ChatEmote[] {
  if (!tag) return [];
  const out: ChatEmote[] = [];
  // code point index → UTF-16 index, built only when the text has astral characters (emoji)
  let units: number[] | undefined;
  if (/[\uD800-\uDBFF]/.test(text)) {
    units = [];
    for (let i = 0; i < text.length; i++) {
      units.push(i);
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    }
    units.push(text.length);
  }
  const points = units ? units.length - 1 : text.length;
  for (const group of tag.split('/')) {
    const colon = group.indexOf(':');
    if (colon <= 0) continue;
    const id = group.slice(0, colon);
    for (const range of group.slice(colon + 1).split(',')) {
      const dash = range.indexOf('-');
      const from = Number(range.slice(0, dash));
      const to = Number(range.slice(dash + 1));
      if (dash <= 0 || !Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to >= points) continue;
      out.push(units ? { id, start: units[from]!, end: units[to + 1]! } : { id, start: from, end: to + 1 });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function badgeMap(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const slash = part.indexOf('/');
    if (slash > 0) out[part.slice(0, slash)] = part.slice(slash + 1);
  }
  return out;
}

function channelOf(param: string | undefined): string | undefined {
  return param?.startsWith('#') && param.length > 1 ? param.slice(1).toLowerCase() : undefined;
}

function nickOf(prefix: string): string {
  const bang = prefix.indexOf('!');
  return (bang >= 0 ? prefix.slice(0, bang) : prefix.split('.')[0]!).toLowerCase();
}

function toInt(value: string | undefined): number {
  if (!value) return 0;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : 0;
}
