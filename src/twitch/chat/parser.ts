// One IRC line from Twitch chat into a typed chat event, or into the generic message the pool's
// connection logic reads (PING, RECONNECT, NOTICE, ROOMSTATE, …). Never throws: a line it cannot
// read is `malformed`, counted and sampled by the caller.
//
// The hot lines (PRIVMSG above all, then USERNOTICE, CLEARCHAT, CLEARMSG, JOIN, PART, 353) are
// read by hand: the tag section is scanned once with indexOf/charCodeAt, only the tags the event
// needs are kept, and only values holding a backslash are unescaped. A pool reads every line of
// every joined channel, so a Map and a regex per line would cost more than the rest of the work.
// The rare lines go through the generic parseLine.
import { type IrcMessage, parseLine } from '../irc-message.js';
import type { ChatClear, ChatEmote, ChatMembership, ChatMessage, ChatNotice } from './events.js';

export type ParsedLine =
  | { kind: 'message'; event: ChatMessage }
  | { kind: 'notice'; event: ChatNotice }
  | { kind: 'clear'; event: ChatClear }
  | { kind: 'membership'; event: ChatMembership }
  | { kind: 'other'; message: IrcMessage }
  | { kind: 'malformed'; reason: string };

/**
 * Longer lines are refused unread. Twitch's longest are a 500-character message with its tags
 * and a reply's quoted parent, a few KiB; IRCv3 allows 8,191 bytes of tags plus 512 for the rest.
 */
export const MAX_LINE = 32 * 1024;

const SPACE = 32;
const COLON = 58;
const EQUALS = 61;
const COMMA = 44;
const DASH = 45;
const SLASH = 47;

// Where the line's parts lie, set by `head` and read by the command's reader. Module state
// instead of a returned object: one allocation fewer per line, and nothing here re-enters.
/** the tag section, `@` and the space excluded (tagStart = tagEnd when there are none) */
let tagStart = 0;
let tagEnd = 0;
/** the source without ':' */
let prefixStart = 0;
let prefixEnd = 0;
/** the read position: after the command, then after each param read */
let cursor = 0;

/**
 * Parses one line (without CR/LF). JOIN/PART come back as membership events whatever the nick,
 * the pool's own included (it recognises its nick); 353 lines as `names`.
 */
export function parseChatLine(line: string, receivedAt: number): ParsedLine {
  if (line.length > MAX_LINE) return { kind: 'malformed', reason: `line of ${line.length} characters` };
  try {
    const command = head(line);
    if (typeof command !== 'string') return command;
    return dispatch(line, command, receivedAt);
  } catch (err) {
    // a bug here must cost one line, never the connection
    return { kind: 'malformed', reason: `parser error: ${(err as Error).message}` };
  }
}

function dispatch(line: string, command: string, receivedAt: number): ParsedLine {
  switch (command) {
    case 'PRIVMSG':
      return privmsg(line, receivedAt);
    case 'USERNOTICE':
      return usernotice(line, receivedAt);
    case 'CLEARCHAT':
    case 'CLEARMSG':
      return clear(line, command, receivedAt);
    case 'JOIN':
    case 'PART': {
      const channel = channelParam(line);
      if (!channel) return { kind: 'malformed', reason: `${command} without a channel` };
      const user = nick(line);
      if (!user) return { kind: 'malformed', reason: `${command} without a source` };
      return { kind: 'membership', event: { channel, kind: command === 'JOIN' ? 'join' : 'part', users: [user], receivedAt } };
    }
    case '353': {
      param(line);
      param(line);
      const channel = channelParam(line);
      if (!channel) return { kind: 'malformed', reason: '353 without a channel' };
      const list = param(line) ?? '';
      return { kind: 'membership', event: { channel, kind: 'names', users: list.split(' ').filter(Boolean), receivedAt } };
    }
    default: {
      // IRC commands are case-insensitive; Twitch sends them upper case, anyone else may not
      const upper = command.toUpperCase();
      if (upper !== command) return dispatch(line, upper, receivedAt);
      const message = parseLine(line);
      return message ? { kind: 'other', message } : { kind: 'malformed', reason: 'no command' };
    }
  }
}

/** Finds the tags, the source and the command; the command as written, or why there is none. */
function head(line: string): string | ParsedLine {
  let pos = 0;
  tagStart = tagEnd = 0;
  if (line.charCodeAt(0) === 64 /* @ */) {
    const end = line.indexOf(' ');
    if (end < 0) return { kind: 'malformed', reason: 'tags without a command' };
    tagStart = 1;
    tagEnd = end;
    pos = end + 1;
  }
  while (line.charCodeAt(pos) === SPACE) pos++;
  prefixStart = prefixEnd = pos;
  if (line.charCodeAt(pos) === COLON) {
    const end = line.indexOf(' ', pos);
    if (end < 0) return { kind: 'malformed', reason: 'source without a command' };
    prefixStart = pos + 1;
    prefixEnd = end;
    pos = end + 1;
    while (line.charCodeAt(pos) === SPACE) pos++;
  }
  if (pos >= line.length) return { kind: 'malformed', reason: 'no command' };
  let end = line.indexOf(' ', pos);
  if (end < 0) end = line.length;
  cursor = end;
  // the hot command as its literal: no string cut per line, and the switch on it compares pointers
  if (end - pos === 7 && line.startsWith('PRIVMSG', pos)) return 'PRIVMSG';
  return line.slice(pos, end);
}

/** The next param (the trailing one takes the rest of the line); undefined when none is left. */
function param(line: string): string | undefined {
  let pos = cursor;
  while (line.charCodeAt(pos) === SPACE) pos++;
  if (pos >= line.length) {
    cursor = pos;
    return undefined;
  }
  if (line.charCodeAt(pos) === COLON) {
    cursor = line.length;
    return line.slice(pos + 1);
  }
  let end = line.indexOf(' ', pos);
  if (end < 0) end = line.length;
  cursor = end;
  return line.slice(pos, end);
}

/** the sender's login from the source (`nick!user@host`, or a bare host as in 353) */
function nick(line: string): string {
  const bang = line.indexOf('!', prefixStart);
  if (bang >= 0 && bang < prefixEnd) return lower(line.slice(prefixStart, bang));
  const dot = line.indexOf('.', prefixStart);
  return lower(line.slice(prefixStart, dot >= 0 && dot < prefixEnd ? dot : prefixEnd));
}

function privmsg(line: string, receivedAt: number): ParsedLine {
  let id = '';
  let roomId = '';
  let userId = '';
  let displayName = '';
  // the emotes and badges tags are read where they lie in the line (or in their unescaped copy)
  let emoteSrc = line;
  let emoteFrom = 0;
  let emoteTo = 0;
  let badgeSrc = line;
  let badgeFrom = 0;
  let badgeTo = 0;
  let color = '';
  let bits = 0;
  let sentAt = 0;
  let mod = false;
  let vip = false;
  let subscriber = false;
  let firstMessage = false;
  let returning = false;
  let parentId = '';
  let parentUser = '';
  let parentDisplayName = '';
  let parentText = '';
  // the first backslash in the tags: values before it need no unescaping, which is nearly all of them
  let slash = tagEnd > tagStart ? line.indexOf('\\', tagStart) : -1;
  let pos = tagStart;
  while (pos < tagEnd) {
    let semi = line.indexOf(';', pos);
    if (semi < 0 || semi > tagEnd) semi = tagEnd;
    const escaped = slash >= pos && slash < semi;
    // the first character picks the few keys it may be; a value never holds ';' (it is `\:`),
    // so a tag Lurk does not read costs one indexOf
    switch (line.charCodeAt(pos)) {
      case 98 /* b */:
        if (line.startsWith('badges=', pos)) {
          badgeSrc = escaped ? unescapeValue(line, pos + 7, semi) : line;
          badgeFrom = escaped ? 0 : pos + 7;
          badgeTo = escaped ? badgeSrc.length : semi;
        } else if (line.startsWith('bits=', pos)) bits = int(line, pos + 5, semi, escaped);
        break;
      case 99 /* c */:
        if (line.startsWith('color=', pos)) color = value(line, pos + 6, semi, escaped);
        break;
      case 100 /* d */:
        if (line.startsWith('display-name=', pos)) displayName = value(line, pos + 13, semi, escaped);
        break;
      case 101 /* e */:
        if (line.startsWith('emotes=', pos)) {
          emoteSrc = escaped ? unescapeValue(line, pos + 7, semi) : line;
          emoteFrom = escaped ? 0 : pos + 7;
          emoteTo = escaped ? emoteSrc.length : semi;
        }
        break;
      case 102 /* f */:
        if (line.startsWith('first-msg=', pos)) firstMessage = flag(line, pos + 10, semi, escaped);
        break;
      case 105 /* i */:
        if (line.startsWith('id=', pos)) id = value(line, pos + 3, semi, escaped);
        break;
      case 109 /* m */:
        if (line.startsWith('mod=', pos)) mod = flag(line, pos + 4, semi, escaped);
        break;
      case 114 /* r */:
        if (line.startsWith('room-id=', pos)) roomId = value(line, pos + 8, semi, escaped);
        else if (line.startsWith('returning-chatter=', pos)) returning = flag(line, pos + 18, semi, escaped);
        else if (line.startsWith('reply-parent-', pos)) {
          if (line.startsWith('msg-id=', pos + 13)) parentId = value(line, pos + 20, semi, escaped);
          else if (line.startsWith('msg-body=', pos + 13)) parentText = value(line, pos + 22, semi, escaped);
          else if (line.startsWith('user-login=', pos + 13)) parentUser = value(line, pos + 24, semi, escaped);
          else if (line.startsWith('display-name=', pos + 13)) parentDisplayName = value(line, pos + 26, semi, escaped);
        }
        break;
      case 115 /* s */:
        if (line.startsWith('subscriber=', pos)) subscriber = flag(line, pos + 11, semi, escaped);
        break;
      case 116 /* t */:
        if (line.startsWith('tmi-sent-ts=', pos)) sentAt = int(line, pos + 12, semi, escaped);
        break;
      case 117 /* u */:
        if (line.startsWith('user-id=', pos)) userId = value(line, pos + 8, semi, escaped);
        break;
      case 118 /* v */:
        // present only for VIPs, with or without a value
        if (line.startsWith('vip', pos) && (pos + 3 === semi || line.charCodeAt(pos + 3) === EQUALS)) vip = true;
        break;
    }
    if (slash >= 0 && slash < semi) slash = line.indexOf('\\', semi);
    pos = semi + 1;
  }

  const channel = channelParam(line);
  let text = param(line);
  if (!channel || text === undefined) return { kind: 'malformed', reason: 'PRIVMSG without a channel or text' };
  let action = false;
  // a CTCP ACTION, read as twurple's ircv3 decodeCtcp does: the closing \x01 may be missing
  if (text.charCodeAt(0) === 1 && text.startsWith('\u0001ACTION ')) {
    text = text.slice(8, text.charCodeAt(text.length - 1) === 1 ? -1 : text.length);
    action = true;
  }
  const user = nick(line);
  const badgeMap = badgesIn(badgeSrc, badgeFrom, badgeTo);
  const event: ChatMessage = {
    id,
    channel,
    channelId: roomId,
    userId,
    user,
    displayName: displayName || user,
    text,
    action,
    // the /me wrapper is not counted in Twitch's positions
    emotes: emoteFrom < emoteTo ? emotesIn(emoteSrc, emoteFrom, emoteTo, text) : [],
    bits,
    badges: badgeMap,
    roles: {
      broadcaster: (badgeRoles & BROADCASTER) !== 0,
      mod: mod || (badgeRoles & MODERATOR) !== 0,
      vip: vip || (badgeRoles & VIP) !== 0,
      subscriber: subscriber || (badgeRoles & SUBSCRIBER) !== 0,
    },
    color,
    firstMessage,
    returningChatter: returning,
    sentAt: sentAt || receivedAt,
    receivedAt,
  };
  if (parentId) event.reply = { parentId, parentUser, parentDisplayName, parentText };
  return { kind: 'message', event };
}

function usernotice(line: string, receivedAt: number): ParsedLine {
  let id = '';
  let roomId = '';
  let userId = '';
  let login = '';
  let displayName = '';
  let emotes = '';
  let kind = '';
  let systemText = '';
  let sentTs = '';
  const params: Record<string, string> = {};
  let slash = tagEnd > tagStart ? line.indexOf('\\', tagStart) : -1;
  let pos = tagStart;
  while (pos < tagEnd) {
    let semi = line.indexOf(';', pos);
    if (semi < 0 || semi > tagEnd) semi = tagEnd;
    let eq = line.indexOf('=', pos);
    if (eq < 0 || eq > semi) eq = semi;
    const start = eq < semi ? eq + 1 : semi;
    const escaped = slash >= start && slash < semi;
    if (line.startsWith('msg-param-', pos) && eq - pos > 10) params[line.slice(pos + 10, eq)] = value(line, start, semi, escaped);
    else {
      switch (line.slice(pos, eq)) {
        case 'id':
          id = value(line, start, semi, escaped);
          break;
        case 'room-id':
          roomId = value(line, start, semi, escaped);
          break;
        case 'user-id':
          userId = value(line, start, semi, escaped);
          break;
        case 'login':
          login = value(line, start, semi, escaped);
          break;
        case 'display-name':
          displayName = value(line, start, semi, escaped);
          break;
        case 'emotes':
          emotes = value(line, start, semi, escaped);
          break;
        case 'msg-id':
          kind = value(line, start, semi, escaped);
          break;
        case 'system-msg':
          systemText = value(line, start, semi, escaped);
          break;
        case 'tmi-sent-ts':
          sentTs = value(line, start, semi, escaped);
          break;
      }
    }
    if (slash >= 0 && slash < semi) slash = line.indexOf('\\', semi);
    pos = semi + 1;
  }
  const channel = channelParam(line);
  if (!channel || !kind) return { kind: 'malformed', reason: 'USERNOTICE without a channel or msg-id' };
  const text = param(line) ?? '';
  const event: ChatNotice = {
    id,
    channel,
    channelId: roomId,
    kind,
    userId,
    user: login,
    displayName: displayName || login,
    text,
    emotes: emoteOffsets(emotes, text),
    systemText,
    params,
    sentAt: toInt(sentTs) || receivedAt,
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

function clear(line: string, command: 'CLEARCHAT' | 'CLEARMSG', receivedAt: number): ParsedLine {
  let roomId = '';
  let sentTs = '';
  let login = '';
  let targetMessageId = '';
  let targetUserId = '';
  let duration: string | undefined;
  let slash = tagEnd > tagStart ? line.indexOf('\\', tagStart) : -1;
  let pos = tagStart;
  while (pos < tagEnd) {
    let semi = line.indexOf(';', pos);
    if (semi < 0 || semi > tagEnd) semi = tagEnd;
    let eq = line.indexOf('=', pos);
    if (eq < 0 || eq > semi) eq = semi;
    const start = eq < semi ? eq + 1 : semi;
    const escaped = slash >= start && slash < semi;
    switch (line.slice(pos, eq)) {
      case 'room-id':
        roomId = value(line, start, semi, escaped);
        break;
      case 'tmi-sent-ts':
        sentTs = value(line, start, semi, escaped);
        break;
      case 'login':
        login = value(line, start, semi, escaped);
        break;
      case 'target-msg-id':
        targetMessageId = value(line, start, semi, escaped);
        break;
      case 'target-user-id':
        targetUserId = value(line, start, semi, escaped);
        break;
      case 'ban-duration':
        duration = value(line, start, semi, escaped);
        break;
    }
    if (slash >= 0 && slash < semi) slash = line.indexOf('\\', semi);
    pos = semi + 1;
  }
  const channel = channelParam(line);
  if (!channel) return { kind: 'malformed', reason: `${command} without a channel` };
  const base = { channel, channelId: roomId, sentAt: toInt(sentTs) || receivedAt, receivedAt };
  if (command === 'CLEARMSG') return { kind: 'clear', event: { ...base, kind: 'message', targetUser: login, targetMessageId } };
  const target = param(line);
  if (!target) return { kind: 'clear', event: { ...base, kind: 'all' } };
  const event: ChatClear = { ...base, kind: duration === undefined ? 'ban' : 'timeout', targetUser: target, targetUserId };
  if (duration !== undefined) event.durationSeconds = toInt(duration);
  return { kind: 'clear', event };
}

/** a tag value, unescaped only when it holds a backslash */
function value(line: string, start: number, end: number, escaped: boolean): string {
  return escaped ? unescapeValue(line, start, end) : line.slice(start, end);
}

/** an integer tag, read as parseInt reads it, without cutting the value out first */
function int(line: string, start: number, end: number, escaped: boolean): number {
  if (escaped) return toInt(unescapeValue(line, start, end));
  let i = start;
  const sign = line.charCodeAt(i);
  if (sign === 45 /* - */ || sign === 43 /* + */) i++;
  let n = 0;
  for (; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  // thousands of digits overflow to Infinity, which parseInt's reading turns into 0 as well
  if (n === Number.POSITIVE_INFINITY) return 0;
  return sign === 45 && n > 0 ? -n : n;
}

/** a 0/1 tag: anything but '1' is false */
function flag(line: string, start: number, end: number, escaped: boolean): boolean {
  return escaped ? unescapeValue(line, start, end) === '1' : end - start === 1 && line.charCodeAt(start) === 49;
}

/**
 * IRCv3 tag unescaping: `\:` → `;`, `\s` → space, `\\` → `\`, `\r`, `\n`; any other escaped
 * character stands for itself and a trailing lone backslash is dropped.
 */
function unescapeValue(line: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = line.indexOf('\\', start); i >= 0 && i < end; i = line.indexOf('\\', from)) {
    out += line.slice(from, i);
    if (i + 1 >= end) {
      from = end;
      break;
    }
    const c = line.charCodeAt(i + 1);
    out += c === COLON ? ';' : c === 115 /* s */ ? ' ' : c === 114 /* r */ ? '\r' : c === 110 /* n */ ? '\n' : line[i + 1]!;
    from = i + 2;
  }
  return from < end ? out + line.slice(from, end) : out;
}

/**
 * The `emotes` tag (`id:start-end,start-end/id2:…`) as UTF-16 offsets into `text`, sorted by
 * start. Twitch counts the inclusive positions in Unicode code points, not UTF-16 units: twurple
 * cuts emote names out with `utf8Substring` (@d-fischer/shared-utils
 * lib/functions/string/utf8.js, `[...str].slice(start, end)`, which iterates code points), called
 * from parseEmotePositions in @twurple/chat lib/emotes/messagePartParser.js. An emoji outside
 * the BMP (🔥, 👍🏽 which is two of them) therefore counts once here but twice in `text.length`.
 * Ranges that are malformed or fall outside the text are dropped rather than trusted.
 */
export function emoteOffsets(tag: string | undefined, text: string): ChatEmote[] {
  return tag ? emotesIn(tag, 0, tag.length, text) : [];
}

/** `emoteOffsets` of the tag value at `tag[from, to)` */
function emotesIn(tag: string, from: number, to: number, text: string): ChatEmote[] {
  // first in code points, as the tag counts them; one charCodeAt pass, the tag being a few
  // characters: `id:` then ranges `a-b` split by ',' up to '/'. A range not spelled exactly so,
  // or with more than 9 digits a side, is dropped; a group without an id, whole.
  const out: ChatEmote[] = [];
  let sorted = true;
  let reach = 0;
  let i = from;
  while (i < to) {
    const idStart = i;
    let c = 0;
    while (i < to && (c = tag.charCodeAt(i)) !== COLON && c !== SLASH) i++;
    if (i >= to) break;
    if (c === SLASH || i === idStart) {
      i = skipPast(tag, i, to, SLASH);
      continue;
    }
    const id = tag.slice(idStart, i);
    i++;
    // the ranges, until the group's '/' or the tag's end
    while (i <= to) {
      let a = 0;
      let aLen = 0;
      while (i < to && (c = tag.charCodeAt(i) - 48) >= 0 && c <= 9) {
        a = a * 10 + c;
        aLen++;
        i++;
      }
      let b = 0;
      let bLen = 0;
      let ok = aLen > 0 && aLen <= 9 && i < to && tag.charCodeAt(i) === DASH;
      if (ok) {
        i++;
        while (i < to && (c = tag.charCodeAt(i) - 48) >= 0 && c <= 9) {
          b = b * 10 + c;
          bLen++;
          i++;
        }
        ok = bLen > 0 && bLen <= 9 && b >= a;
      }
      // what follows a range is ',' (another), '/' (another emote) or the end; anything else spoils it
      c = i < to ? tag.charCodeAt(i) : SLASH;
      if (c !== COMMA && c !== SLASH) {
        ok = false;
        while (i < to && (c = tag.charCodeAt(i)) !== COMMA && c !== SLASH) i++;
        if (i >= to) c = SLASH;
      }
      if (ok) {
        if (out.length > 0 && a < out[out.length - 1]!.start) sorted = false;
        out.push({ id, start: a, end: b + 1 });
        if (b + 1 > reach) reach = b + 1;
      }
      i++;
      if (c === SLASH) break;
    }
  }
  if (out.length === 0) return out;
  // code points are UTF-16 units up to the first surrogate pair: only text with an emoji
  // before the last emote's end needs the mapping
  // (a regex search: `text` is a slice of the line, where a charCodeAt loop pays the indirection
  // on every character and ran four times as long)
  const first = text.search(HIGH_SURROGATE);
  const astral = first >= 0 && first < reach;
  let kept: ChatEmote[] = out;
  if (astral) {
    const units = codePointUnits(text);
    const points = units.length - 1;
    kept = [];
    for (const e of out) if (e.end <= points) kept.push({ id: e.id, start: units[e.start]!, end: units[e.end]! });
  } else if (reach > text.length) kept = out.filter((e) => e.end <= text.length);
  return sorted ? kept : kept.sort((a, b) => a.start - b.start);
}

/** the index after the next `code` in `s[i, to)`, or `to` */
function skipPast(s: string, i: number, to: number, code: number): number {
  while (i < to && s.charCodeAt(i) !== code) i++;
  return i + 1;
}

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

function codePointUnits(text: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) {
    units.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  units.push(text.length);
  return units;
}

// the roles the badges read by `badgesIn` grant, found while reading them instead of by four
// `in` lookups afterwards on an object of whatever shape the badges gave it
const BROADCASTER = 1;
const MODERATOR = 2;
const VIP = 4;
const SUBSCRIBER = 8;
let badgeRoles = 0;

/** the badges tag value at `value[from, to)`: `name/version,…`; sets `badgeRoles` */
function badgesIn(value: string, from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  badgeRoles = 0;
  let pos = from;
  while (pos < to) {
    let end = value.indexOf(',', pos);
    if (end < 0 || end > to) end = to;
    const slash = value.indexOf('/', pos);
    if (slash > pos && slash < end) out[badgeName(value, pos, slash)] = value.slice(slash + 1, end);
    pos = end + 1;
  }
  return out;
}

/**
 * The badge name at `value[from, to)`. The common ones come back as the literal, which V8 holds
 * interned: a key cut from the line would be hashed and looked up in the string table by the
 * store that adds it to the badges object.
 */
function badgeName(value: string, from: number, to: number): string {
  const n = to - from;
  switch (value.charCodeAt(from)) {
    case 98 /* b */:
      if (n === 11 && value.startsWith('broadcaster', from)) {
        badgeRoles |= BROADCASTER;
        return 'broadcaster';
      }
      if (n === 4 && value.startsWith('bits', from)) return 'bits';
      break;
    case 102 /* f */:
      if (n === 7 && value.startsWith('founder', from)) {
        badgeRoles |= SUBSCRIBER;
        return 'founder';
      }
      break;
    case 109 /* m */:
      if (n === 9 && value.startsWith('moderator', from)) {
        badgeRoles |= MODERATOR;
        return 'moderator';
      }
      break;
    case 112 /* p */:
      if (n === 7 && value.startsWith('premium', from)) return 'premium';
      if (n === 7 && value.startsWith('partner', from)) return 'partner';
      break;
    case 115 /* s */:
      if (n === 10 && value.startsWith('subscriber', from)) {
        badgeRoles |= SUBSCRIBER;
        return 'subscriber';
      }
      if (n === 10 && value.startsWith('sub-gifter', from)) return 'sub-gifter';
      break;
    case 116 /* t */:
      if (n === 5 && value.startsWith('turbo', from)) return 'turbo';
      break;
    case 118 /* v */:
      if (n === 3 && value.startsWith('vip', from)) {
        badgeRoles |= VIP;
        return 'vip';
      }
      break;
  }
  return value.slice(from, to);
}

/** the next param as a channel (`#login`, lower case, without '#'), cut once; undefined when it is none */
function channelParam(line: string): string | undefined {
  let pos = cursor;
  while (line.charCodeAt(pos) === SPACE) pos++;
  let end: number;
  if (line.charCodeAt(pos) === COLON) {
    end = line.length;
    pos++;
  } else {
    end = line.indexOf(' ', pos);
    if (end < 0) end = line.length;
  }
  cursor = end;
  return end - pos > 1 && line.charCodeAt(pos) === 35 /* # */ ? lower(line.slice(pos + 1, end)) : undefined;
}

/** lower case; Twitch's logins already are, so most calls return their argument (a regex test: faster than a charCodeAt loop) */
function lower(s: string): string {
  return NOT_LOWER.test(s) ? s.toLowerCase() : s;
}

/** what toLowerCase may change: ASCII capitals and anything beyond ASCII */
const NOT_LOWER = /[A-Z\u0080-\uFFFF]/;

function toInt(value: string): number {
  if (!value) return 0;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : 0;
}
