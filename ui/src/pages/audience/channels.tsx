import { useState } from 'preact/hooks';
import type { AudienceChannel } from '../../../../src/audience/types';
import { describeError } from '../../components/notice';
import { FLAG_TEXT, chatStateText, formatRatio, sourceWords, unwatchChannel } from '../../lib/audience';
import { formatInt } from '../../lib/format';
import { ChannelLink } from './links';

function RemoveButton({ channel, onRemoved }: { channel: AudienceChannel; onRemoved: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const removable = channel.sources.includes('api');
  const remove = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await unwatchChannel(channel.login);
      onRemoved();
    } catch (err) {
      setProblem(describeError(err as Error, 'Audience'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        aria-label={`Stop watching ${channel.login}`}
        disabled={busy || !removable}
        title={removable ? undefined : `watched because of the ${sourceWords(channel.sources)}; only channels added here can be removed here`}
        onClick={remove}
      >
        Remove
      </button>
      {problem && (
        <p class="small err-text" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}

/** the chat ratio, and the flag spelt out when it is raised */
export function ChatRatio({ channel }: { channel: AudienceChannel }) {
  return (
    <span data-field="chat-ratio" data-flagged={channel.flagged ? 'true' : 'false'}>
      <span class="num">{formatRatio(channel.chat_ratio)}</span>
      {channel.peer_ratio !== null && <span class="muted small num"> (peers {formatRatio(channel.peer_ratio)})</span>}
      {channel.flagged && (
        <span class="au-flag" role="note" title={FLAG_TEXT} data-field="flag">
          ⚑ flagged: {FLAG_TEXT}
        </span>
      )}
    </span>
  );
}

/** the watched channels, one row each */
export function ChannelsTable({ channels, onRemoved }: { channels: AudienceChannel[]; onRemoved: () => void }) {
  return (
    <div class="table-wrap">
      <table class="au-table" aria-label="Watched channels" data-field="channels">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Watched because</th>
            <th scope="col">Live</th>
            <th scope="col" class="num">
              Viewers
            </th>
            <th scope="col" class="num">
              Present
            </th>
            <th scope="col" class="num">
              Active chatters
            </th>
            <th scope="col">Chatters per viewer</th>
            <th scope="col">Membership</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.login} data-channel={c.login} class={c.flagged ? 'au-flagged' : undefined}>
              <td>
                <ChannelLink login={c.login} />
                <div class={`small muted au-chat ${c.chat.state}`} data-field="chat-state">
                  {chatStateText(c.chat)}
                </div>
              </td>
              <td class="small" data-field="sources">
                {sourceWords(c.sources)}
              </td>
              <td data-field="live">{c.live ? <span class="pill ok">live</span> : <span class="muted">offline</span>}</td>
              <td class="num" data-field="viewers">
                {c.viewer_count === null ? '–' : formatInt(c.viewer_count)}
              </td>
              <td class="num" data-field="present">
                {formatInt(c.present)}
              </td>
              <td class="num" data-field="active-chatters">
                {formatInt(c.active_chatters)}
              </td>
              <td>
                <ChatRatio channel={c} />
              </td>
              <td
                data-field="membership"
                title={
                  c.membership ? 'Twitch sends JOIN/PART for this room (under 1,000 users): moves out of it can be exact' : 'No JOIN/PART here (1,000 users or more): only chat shows who is present'
                }
              >
                {c.membership ? 'yes' : 'no'}
              </td>
              <td>
                <RemoveButton channel={c} onRemoved={onRemoved} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
