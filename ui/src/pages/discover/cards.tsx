import type { HistoryEntry, Stream } from '../../lib/discover';
import { languageName, twitchUrl } from '../../lib/discover';
import { Thumb } from './thumb';

/** a plain left click is ours; any modifier or other button is left to the browser (new tab, etc.) */
function plainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey;
}

/** A thumbnail that is a real link to the channel: a click shows it here, Ctrl/⌘/middle-click opens Twitch. */
export function StreamCard({ stream, real, current, onPick }: { stream: Stream; real: boolean; current: boolean; onPick: (s: Stream) => void }) {
  return (
    <li>
      <a
        class="dsc-card"
        href={twitchUrl(stream.user_login)}
        rel="noreferrer"
        data-grid-item
        data-stream-id={stream.id}
        data-language={stream.language}
        aria-current={current ? 'true' : undefined}
        title={`${stream.title}\nClick to watch here · Ctrl/⌘-click to open on Twitch`}
        onClick={(e) => {
          if (!plainClick(e)) return;
          e.preventDefault();
          onPick(stream);
        }}
      >
        <Thumb stream={stream} real={real} />
        <span class="dsc-card-text">
          <span class="dsc-card-name">{stream.user_name}</span>
          <span class="dsc-card-title">{stream.title.trim() || '(no title)'}</span>
          <span class="dsc-card-meta">
            {stream.game_name || 'No category'} · {languageName(stream.language)}
          </span>
        </span>
      </a>
    </li>
  );
}

/** A stream watched earlier: a link to the channel; a click tries to show it again. */
export function HistoryItem({ entry, real, onPick }: { entry: HistoryEntry; real: boolean; onPick: (h: HistoryEntry) => void }) {
  return (
    <li>
      <a
        class="dsc-hist"
        href={twitchUrl(entry.user_login)}
        rel="noreferrer"
        data-history-item
        data-stream-id={entry.id}
        title={`${entry.title}\nClick to watch here again · Ctrl/⌘-click to open on Twitch`}
        onClick={(e) => {
          if (!plainClick(e)) return;
          e.preventDefault();
          onPick(entry);
        }}
      >
        <Thumb stream={entry} real={real} />
        <span class="dsc-hist-text">
          <span class="dsc-card-name">{entry.user_name}</span>
          <span class="dsc-card-meta">{entry.game_name || 'No category'}</span>
        </span>
      </a>
    </li>
  );
}
