// IRC lines with IRCv3 tags, as Twitch chat speaks them: parsed by the simulator and by Lurk's own client.
// IRC line parsing and IRCv3 tag escaping (twitch-protocol.md §5.4). The server only needs to
// parse what clients send, which is short and rare; formatting of the hot lines (PRIVMSG) lives
// in render.ts and avoids this generic code.

export interface IrcMessage {
  tags: Map<string, string>;
  /** the source without the leading ':', '' when absent */
  prefix: string;
  /** upper-cased command or numeric */
  command: string;
  /** middle params followed by the trailing one (if any) */
  params: string[];
}

const NEEDS_ESCAPE = /[\\; \r\n]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' };

/** Escapes a tag value: `\s` for space, `\:` for `;`, `\\`, `\r`, `\n`. */
export function escapeTag(value: string): string {
  // the common case (ids, numbers, names) has nothing to escape: skip the regex replace
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\; \r\n]/g, (c) => ESCAPES[c]!);
}

const UNESCAPES: Record<string, string> = { '\\': '\\', ':': ';', s: ' ', r: '\r', n: '\n' };

/** Reverses `escapeTag`; an unknown escape drops the backslash, a trailing one is dropped (IRCv3). */
export function unescapeTag(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.?)/g, (_, c: string) => UNESCAPES[c] ?? c);
}

/** Serialises tags in the given order: `a=1;b=` (values escaped). */
export function formatTags(tags: readonly (readonly [string, string | number])[]): string {
  let out = '';
  for (const [key, value] of tags) {
    if (out) out += ';';
    out += key + '=' + (typeof value === 'number' ? String(value) : escapeTag(value));
  }
  return out;
}

/** Parses one line (without CR/LF); undefined when it has no command. */
export function parseLine(line: string): IrcMessage | undefined {
  let pos = 0;
  const tags = new Map<string, string>();
  if (line.startsWith('@')) {
    const end = line.indexOf(' ');
    if (end < 0) return undefined;
    for (const part of line.slice(1, end).split(';')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      if (eq < 0) tags.set(part, '');
      else tags.set(part.slice(0, eq), unescapeTag(part.slice(eq + 1)));
    }
    pos = end + 1;
  }
  pos = skipSpaces(line, pos);
  let prefix = '';
  if (line[pos] === ':') {
    const end = line.indexOf(' ', pos);
    if (end < 0) return undefined;
    prefix = line.slice(pos + 1, end);
    pos = skipSpaces(line, end + 1);
  }
  const params: string[] = [];
  let command = '';
  while (pos < line.length) {
    if (command && line[pos] === ':') {
      params.push(line.slice(pos + 1));
      break;
    }
    let end = line.indexOf(' ', pos);
    if (end < 0) end = line.length;
    const word = line.slice(pos, end);
    if (!command) command = word.toUpperCase();
    else params.push(word);
    pos = skipSpaces(line, end);
  }
  return command ? { tags, prefix, command, params } : undefined;
}

function skipSpaces(line: string, pos: number): number {
  while (line.charCodeAt(pos) === 32) pos++;
  return pos;
}
