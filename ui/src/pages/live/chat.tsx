import { useEffect, useRef } from 'preact/hooks';
import { chatEmbedUrl, type LiveChatLine } from '../../lib/live';

/** the channel's chat: Twitch's chat embed, or in simulator mode the lines the socket brings */
export function Chat({ login, mode, lines }: { login: string; mode: 'simulator' | 'twitch'; lines: readonly LiveChatLine[] }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  if (mode === 'twitch') {
    return (
      <div class="live-chat embed">
        <iframe src={chatEmbedUrl(login, location.hostname)} title={`Chat of ${login}`} />
      </div>
    );
  }
  return (
    <section class="live-chat" aria-label={`Chat of ${login}`} data-field="chat">
      {lines.length === 0 ? (
        <p class="muted small">No chat yet.</p>
      ) : (
        <ol ref={list} aria-live="off">
          {lines.map((l) => (
            <li key={l.id} data-chat-id={l.id}>
              <b style={{ color: l.color || undefined }}>{l.user_name || l.user_login}</b>: {l.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
