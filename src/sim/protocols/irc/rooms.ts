// Rooms: which connections joined which channel, and the fan-out of one line to all of them.
// Lines are built once per world message by the caller; the fan-out only picks a variant.
import type { World } from '../../world/world.js';
import { hash32 } from '../../world/random.js';
import type { Line, RoomName } from './render.js';

/** what a room needs from a connection to deliver to it */
export interface Member {
  /** queues a line if the connection asked for what it needs */
  deliver(line: Line): void;
  readonly wantsMembership: boolean;
}

export class Room {
  readonly members = new Set<Member>();
  /** members that asked for twitch.tv/membership, so JOIN/PART lines are only built when wanted */
  membershipMembers = 0;
  constructor(readonly name: RoomName) {}
}

export class Rooms {
  /** by channel (user index): most channels never have a room, and a lookup is the hot path */
  private readonly byChannel: (Room | undefined)[] = [];
  private malformedSeq = 0;
  /** share of broadcast lines replaced by malformed ones (the ircMalformedRate fault) */
  malformedRate = 0;

  constructor(private readonly world: World) {}

  get(channel: number): Room | undefined {
    return this.byChannel[channel];
  }

  /** the room of any world user (every Twitch user has a channel), undefined for unknown logins */
  resolve(login: string): RoomName | undefined {
    const channel = this.world.userByLogin(login);
    if (channel === undefined) return undefined;
    return this.byChannel[channel]?.name ?? this.nameOf(channel);
  }

  nameOf(channel: number): RoomName {
    const login = this.world.login(channel);
    return { channel, name: '#' + login, id: this.world.userId(channel), login, displayName: this.world.displayName(channel) };
  }

  add(member: Member, name: RoomName): Room {
    let room = this.byChannel[name.channel];
    if (!room) this.byChannel[name.channel] = room = new Room(name);
    if (!room.members.has(member)) {
      room.members.add(member);
      if (member.wantsMembership) room.membershipMembers++;
    }
    return room;
  }

  remove(member: Member, room: Room): void {
    if (!room.members.delete(member)) return;
    if (member.wantsMembership) room.membershipMembers--;
    if (room.members.size === 0) this.byChannel[room.name.channel] = undefined;
  }

  /** sends one line to every member (but `except`) */
  broadcast(room: Room, line: Line, except?: Member): void {
    const out = this.malformedRate > 0 ? this.maybeMalformed(line) : line;
    for (const m of room.members) if (m !== except) m.deliver(out);
  }

  /** Membership JOIN/PART are only sent while a room has fewer than 1,000 users (twitch-protocol.md §5.5). */
  membershipAllowed(room: Room): boolean {
    return room.membershipMembers > 0 && this.world.viewersNow(room.name.channel) < 1000;
  }

  private maybeMalformed(line: Line): Line {
    if (hash32(this.malformedSeq++, 0xbad) / 4294967296 >= this.malformedRate) return line;
    return malformed(line);
  }
}

/**
 * A broken version of a line, as a buggy edge server might send: the tag section cut off from
 * its command, or a bare source without a command. Parsers must skip it and carry on.
 */
export function malformed(line: Line): Line {
  const space = line.plain.indexOf(' ');
  const bareSource = (space > 0 ? line.plain.slice(0, space) : ':tmi.twitch.tv') + '\r\n';
  const tagsOnly = line.tagged.startsWith('@') ? line.tagged.slice(0, line.tagged.indexOf(' ')) + '\r\n' : bareSource;
  return { tagged: tagsOnly, plain: bareSource, needs: line.needs };
}
