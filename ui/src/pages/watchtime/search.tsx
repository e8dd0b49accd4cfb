import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../../components/notice';
import { getJson, isAbort } from '../../lib/api';
import { formatHours } from '../../lib/format';
import { searchUrl, type SearchAnswer, type SearchResult, type View } from '../../lib/watchtime';
import { API_NAME } from './parts';

const DEBOUNCE_MS = 200;

export function viewOfResult(r: SearchResult): View {
  return r.kind === 'game' ? { kind: 'game', id: r.id } : { kind: 'streamer', login: r.login ?? r.name.toLowerCase() };
}

type Answer = { q: string; results: SearchResult[] } | { q: string; error: string };

/** A combobox over games and streamers Lurk has watch time for; Enter or a click opens one. */
export function SearchBox({ onOpen }: { onOpen: (view: View) => void }) {
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  /** Enter pressed before the answer for the typed text arrived: open its best result when it does */
  const enterPending = useRef(false);
  const q = text.trim();

  useEffect(() => {
    if (!q) {
      setAnswer(undefined);
      setBusy(false);
      return;
    }
    const controller = new AbortController();
    setBusy(true);
    const timer = setTimeout(() => {
      getJson<SearchAnswer>(searchUrl(q), controller.signal).then(
        (a) => {
          setAnswer({ q, results: a.results });
          setActive(-1);
          setBusy(false);
          if (enterPending.current) {
            enterPending.current = false;
            choose(a.results[0]);
          }
        },
        (err: unknown) => {
          if (isAbort(err)) return;
          setAnswer({ q, error: describeError(err as Error, API_NAME) });
          setBusy(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const results = answer && 'results' in answer ? answer.results : [];
  const showList = open && q !== '';

  function choose(r: SearchResult | undefined) {
    if (!r) return;
    setOpen(false);
    setText('');
    input.current?.blur();
    onOpen(viewOfResult(r));
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!results.length) return;
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      // -1 (nothing highlighted, the typed text) is one stop of the cycle
      const stops = results.length + 1;
      setActive((i) => ((i + 1 + step + stops) % stops) - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      // the highlighted result, else the best one (once the answer is for what is typed)
      if (answer && 'results' in answer && answer.q === q) choose(results[active] ?? results[0]);
      else if (q) enterPending.current = true;
    } else if (e.key === 'Escape') {
      if (showList) {
        e.preventDefault();
        setOpen(false);
      } else if (text) {
        e.preventDefault();
        setText('');
      }
    }
  }

  const listId = 'wt-search-results';
  const status = !q ? '' : busy && !answer ? 'Searching…' : answer && 'error' in answer ? answer.error : answer && results.length === 0 ? `No game or streamer matches “${answer.q}”` : '';

  return (
    <div class="wt-search" data-field="search">
      <label class="sr-only" for="wt-search-input">
        Search games and streamers
      </label>
      <input
        ref={input}
        id="wt-search-input"
        type="search"
        role="combobox"
        placeholder="Search games and streamers…"
        autocomplete="off"
        spellcheck={false}
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 && results[active] ? `wt-opt-${active}` : undefined}
        value={text}
        onInput={(e) => {
          enterPending.current = false;
          setText((e.currentTarget as HTMLInputElement).value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <div class="wt-search-pop" data-busy={busy ? 'true' : undefined}>
          <ul id={listId} role="listbox" aria-label="Search results">
            {results.map((r, i) => (
              <li
                key={`${r.kind}:${r.id}`}
                id={`wt-opt-${i}`}
                role="option"
                aria-selected={i === active}
                data-result-kind={r.kind}
                data-result-id={r.id}
                // keep focus in the input, so the list doesn't close before the click lands
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(r)}
              >
                <span class={`wt-kind ${r.kind}`}>{r.kind === 'game' ? 'Game' : 'Streamer'}</span>
                <span class="wt-result-name">
                  {r.name}
                  {r.kind === 'streamer' && r.login && r.login !== r.name.toLowerCase() && <span class="muted small"> ({r.login})</span>}
                </span>
                <span class="muted small num" title="Hours watched over the last 30 days">
                  {formatHours(r.hours_watched)} h
                </span>
              </li>
            ))}
          </ul>
          {status && (
            <p class="wt-search-status small muted" role="status">
              {status}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
