import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from '../lib/api';
import { formatRelative } from '../lib/format';
import { useStatus } from '../lib/status';
import {
  activeFilterCount,
  ApiError,
  DEFAULT_FILTERS,
  fetchRandom,
  fetchStats,
  fetchStream,
  findChannel,
  isDefaultFilters,
  languageName,
  loadFilters,
  loadHistory,
  loadPrefs,
  pushHistory,
  readUrl,
  saveFilters,
  savePrefs,
  splitTerms,
  twitchUrl,
  useServerNow,
  writeUrl,
  type DiscoverStats,
  type Filters,
  type HistoryEntry,
  type Prefs,
  type Stream,
} from '../lib/discover';
import { HistoryItem, StreamCard } from './discover/cards';
import { FilterDialog } from './discover/filters';
import { HelpDialog } from './discover/help';
import { EmptyStage, Stage } from './discover/stage';

const COOLDOWN_MS = 2000;
const GRID_SIZE = 16;
const STATS_EVERY_MS = 30_000;
const EMPTY_RETRY_MS = 5000;
const NO_MATCH = 'No stream matches these filters';

interface Message {
  kind: 'error' | 'notice';
  text: string;
  /** wall-clock ms when a rate limit lifts (shown as a countdown) */
  retryAt?: number;
  link?: { href: string; text: string };
  /** offer a "Try again" button */
  retry?: boolean;
}

function describe(err: unknown): Message {
  if (err instanceof ApiError) {
    if (err.status === 429) return { kind: 'error', text: 'Lurk is getting too many requests from you; please wait a moment.', retryAt: Date.now() + (err.retryAfter ?? 10) * 1000 };
    if (err.status === 0) return { kind: 'error', text: 'Could not reach Lurk. Is it still running? Check your connection and try again.', retry: true };
    return { kind: 'error', text: err.message, retry: err.status >= 500 };
  }
  return { kind: 'error', text: `Something went wrong: ${(err as Error).message}`, retry: true };
}

function StatsLine({ stats, now, problem }: { stats: DiscoverStats | undefined; now: number; problem: boolean }) {
  if (!stats) return <p class="dsc-stats small muted">{problem ? 'Counts unavailable right now' : 'Counting…'}</p>;
  // last_sweep is the last completed sweep (sweeps run back to back); one under way is current_sweep
  const sweep = stats.last_sweep;
  let sweepText = stats.current_sweep ? 'first sweep under way' : 'waiting for the first sweep';
  if (sweep) sweepText = `last sweep ${formatRelative(Date.parse(sweep.finished_at ?? sweep.started_at), now)}`;
  return (
    <p class="dsc-stats small muted" data-field="stats">
      <span>
        <b>{stats.live.toLocaleString()}</b> live
      </span>
      <span>
        <b>{stats.zero_viewer.toLocaleString()}</b> with nobody watching
      </span>
      <span>
        <b>{stats.one_viewer.toLocaleString()}</b> with one viewer
      </span>
      <span>{sweepText}</span>
    </p>
  );
}

function FilterSummary({ filters, stats, onEdit, onClear }: { filters: Filters; stats: DiscoverStats | undefined; onEdit: () => void; onClear: () => void }) {
  if (isDefaultFilters(filters)) return null;
  const parts: string[] = [];
  const include = splitTerms(filters.include);
  if (include.length) parts.push(`${include.join(filters.match === 'any' ? ' or ' : ' and ')}`);
  const exclude = splitTerms(filters.exclude);
  if (exclude.length) parts.push(`not ${exclude.join(', ')}`);
  if (filters.language) parts.push(languageName(filters.language));
  if (filters.game) parts.push(stats?.per_game.find((g) => g.game_id === filters.game)?.game_name ?? `category ${filters.game}`);
  if (filters.minAge) parts.push(`live ${filters.minAge}+ min`);
  if (filters.oneViewer) parts.push('one viewer allowed');
  return (
    <div class="dsc-summary small" data-field="filter-summary">
      <span class="muted">Filtered:</span>
      <ul>
        {parts.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
      <button type="button" class="dsc-link" onClick={onEdit}>
        Edit
      </button>
      <button type="button" class="dsc-link" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}

/** Discover: a random live stream nobody is watching (a rebuilt nobody.live). */
export function DiscoverPage() {
  const { status } = useStatus();
  const mode = status?.mode;
  const real = mode === 'twitch';
  const now = useServerNow();

  // read once, before anything rewrites the address bar
  const [initial] = useState(() => {
    const url = readUrl();
    const remembered = loadFilters();
    const filters = { ...(remembered ?? DEFAULT_FILTERS) };
    if (url.filter) filters.include = url.filter;
    return { url, filters, remember: remembered !== undefined };
  });
  const [filters, setFilters] = useState<Filters>(initial.filters);
  const [remember, setRemember] = useState(initial.remember);
  const [current, setCurrent] = useState<Stream>();
  const [busy, setBusy] = useState(true);
  const [message, setMessage] = useState<Message>();
  const [cooldownUntil, setCooldownUntil] = useState(0);
  const [grid, setGrid] = useState<Stream[]>();
  const [gridBusy, setGridBusy] = useState(false);
  const [gridMessage, setGridMessage] = useState<Message>();
  /** a grid stream clicked onto the stage stays in the grid, marked */
  const [pickedFromGrid, setPickedFromGrid] = useState<string>();
  const [prefs, setPrefs] = useState<Prefs>(loadPrefs);
  const [history, setHistory] = useState<HistoryEntry[]>(loadHistory);
  const [stats, setStats] = useState<DiscoverStats>();
  const [statsProblem, setStatsProblem] = useState(false);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [filterMessage, setFilterMessage] = useState<string>();
  const [helpOpen, setHelpOpen] = useState(false);

  const alive = useRef(true);
  const mainRequest = useRef<AbortController>();
  const gridRequest = useRef<AbortController>();
  const retryTimer = useRef<ReturnType<typeof setTimeout>>();
  const currentRef = useRef<Stream>();
  currentRef.current = current;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const wallNow = Date.now();
  const cooling = wallNow < cooldownUntil;
  // re-render when the cooldown ends, so the button comes back at once
  const [, setCooled] = useState(0);
  useEffect(() => {
    if (!cooling) return;
    const t = setTimeout(() => setCooled((n) => n + 1), cooldownUntil - Date.now() + 20);
    return () => clearTimeout(t);
  }, [cooldownUntil, cooling]);

  function show(stream: Stream, f: Filters = filtersRef.current) {
    setCurrent(stream);
    setHistory((h) => pushHistory(h, stream));
    if (alive.current) writeUrl(stream, f.include);
  }

  function startMain(): AbortSignal {
    mainRequest.current?.abort();
    clearTimeout(retryTimer.current);
    const controller = new AbortController();
    mainRequest.current = controller;
    setBusy(true);
    return controller.signal;
  }

  function finishMain(signal: AbortSignal) {
    if (!signal.aborted && alive.current) setBusy(false);
  }

  function fail(err: unknown) {
    const m = describe(err);
    setMessage(m);
    if (m.retryAt) setCooldownUntil(m.retryAt);
    if (err instanceof ApiError && (err.status === 400 || err.status === 413)) {
      setFilterMessage(err.message);
      setFiltersOpen(true);
    }
  }

  /** nothing matched: with filters, say so and reopen them; without, the pool is empty (first sweep) and we try again */
  function nothing(f: Filters) {
    if (isDefaultFilters(f)) {
      setMessage({ kind: 'notice', text: 'Nobody is live with zero viewers right now, or Lurk has not finished its first sweep yet. Trying again in a few seconds…' });
      retryTimer.current = setTimeout(() => void newStreamer({ force: true, cooldown: false }), EMPTY_RETRY_MS);
      return;
    }
    setMessage({ kind: 'notice', text: currentRef.current ? `${NO_MATCH}; still showing the last stream.` : `${NO_MATCH}.` });
    setFilterMessage(`${NO_MATCH}. Try fewer or different terms, another language, or allow one-viewer streams.`);
    setFiltersOpen(true);
  }

  async function newStreamer({ f = filtersRef.current, force = false, cooldown = true, keepMessage = false }: { f?: Filters; force?: boolean; cooldown?: boolean; keepMessage?: boolean } = {}) {
    if (!force && (Date.now() < cooldownUntil || busy)) return;
    if (cooldown) setCooldownUntil(Date.now() + COOLDOWN_MS);
    const signal = startMain();
    try {
      // never the stream already shown
      const shown = currentRef.current?.id;
      const found = await fetchRandom(f, 1, signal, shown ? { excludeIds: [shown] } : {});
      if (signal.aborted) return;
      const next = found.find((s) => s.id !== currentRef.current?.id) ?? found[0];
      if (!next) {
        nothing(f);
        return;
      }
      if (!keepMessage) setMessage(undefined);
      show(next, f);
    } catch (err) {
      if (!isAbort(err)) fail(err);
    } finally {
      finishMain(signal);
    }
  }

  async function loadGrid(f: Filters = filtersRef.current) {
    gridRequest.current?.abort();
    const controller = new AbortController();
    gridRequest.current = controller;
    setGridBusy(true);
    setPickedFromGrid(undefined);
    try {
      // thumbnails leave out the stream on stage and don't count as hand-outs
      const shown = currentRef.current?.id;
      const found = await fetchRandom(f, GRID_SIZE + 1, controller.signal, { browse: true, ...(shown ? { excludeIds: [shown] } : {}) });
      if (controller.signal.aborted) return;
      setGrid(found);
      setGridMessage(found.length === 0 ? { kind: 'notice', text: NO_MATCH } : undefined);
    } catch (err) {
      if (!isAbort(err)) setGridMessage(describe(err));
    } finally {
      if (!controller.signal.aborted && alive.current) setGridBusy(false);
    }
  }

  /**
   * Shows the stream a lookup finds (deep link, history, ?channel=); when it finds none, says
   * so with `notFound` and shows someone else.
   */
  async function showLookup(lookup: (signal: AbortSignal) => Promise<Stream | undefined>, notFound: Message) {
    const signal = startMain();
    try {
      const found = await lookup(signal);
      if (signal.aborted) return;
      if (found) {
        setMessage(undefined);
        show(found);
        return;
      }
      setMessage(notFound);
      finishMain(signal);
      await newStreamer({ force: true, cooldown: false, keepMessage: true });
    } catch (err) {
      if (!isAbort(err)) fail(err);
    } finally {
      finishMain(signal);
    }
  }

  /** a stream by id (deep link, history): it may have ended since */
  function showById(id: string, who?: { login: string; name: string }) {
    return showLookup(async (signal) => (await fetchStream(id, signal))?.stream, {
      kind: 'notice',
      text: who ? `${who.name} is not live any more (or that broadcast ended). Here is someone else.` : 'That stream is not live any more. Here is someone else nobody is watching.',
      ...(who ? { link: { href: twitchUrl(who.login), text: `Check ${who.name} on Twitch` } } : {}),
    });
  }

  function showChannel(login: string) {
    return showLookup((signal) => findChannel(login, signal), {
      kind: 'notice',
      text: `${login} is not live right now, or Lurk has not seen it yet. Here is someone nobody is watching.`,
      link: { href: twitchUrl(login), text: `Look for ${login} on Twitch` },
    });
  }

  async function refreshStats() {
    try {
      const s = await fetchStats();
      if (!alive.current) return;
      setStats(s);
      setStatsProblem(false);
    } catch {
      if (alive.current) setStatsProblem(true);
    }
  }

  function applyFilters(next: Filters, keep: boolean) {
    setFilters(next);
    filtersRef.current = next;
    setRemember(keep);
    saveFilters(keep ? next : undefined);
    setFilterMessage(undefined);
    setFiltersOpen(false);
    void newStreamer({ f: next, force: true });
    void loadGrid(next);
  }

  function toggleWide() {
    const wide = !prefs.wide;
    setPref({ wide });
    if (wide) window.scrollTo({ top: 0 });
  }

  function setPref(next: Partial<Prefs>) {
    setPrefs((p) => {
      const merged = { ...p, ...next };
      savePrefs(merged);
      return merged;
    });
  }

  function toggleGrid() {
    const open = !prefs.grid;
    setPref({ grid: open });
    if (open && !grid) void loadGrid();
  }

  // first visit: the deep link, or a random stream; the grid and the counts
  useEffect(() => {
    alive.current = true;
    const { url } = initial;
    if (url.stream) void showById(url.stream);
    else if (url.channel) void showChannel(url.channel);
    else void newStreamer({ force: true, cooldown: false });
    if (prefs.grid) void loadGrid();
    void refreshStats();
    const timer = setInterval(() => void refreshStats(), STATS_EVERY_MS);
    return () => {
      alive.current = false;
      clearInterval(timer);
      clearTimeout(retryTimer.current);
      mainRequest.current?.abort();
      gridRequest.current?.abort();
    };
  }, []);

  // keyboard shortcuts; the latest handlers are read through a ref
  const keys = useRef<(e: KeyboardEvent) => void>();
  keys.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    // a modal dialog has the keyboard (Esc closes it natively); the DOM knows before our state does
    if (document.querySelector('dialog[open]')) return;
    switch (e.key) {
      case 'n':
      case 'N':
        void newStreamer();
        break;
      case 't':
      case 'T':
        toggleGrid();
        break;
      case 'f':
      case 'F':
        setFilterMessage(undefined);
        setFiltersOpen(true);
        break;
      case 'w':
      case 'W':
        toggleWide();
        break;
      case '?':
        setHelpOpen(true);
        break;
      case 'Escape':
        if (!prefs.wide) return;
        setPref({ wide: false });
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => keys.current?.(e);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const activeFilters = activeFilterCount(filters);
  const shownGrid = (grid ?? []).filter((s) => s.id !== current?.id || s.id === pickedFromGrid).slice(0, GRID_SIZE);
  const shownHistory = history.filter((h) => h.id !== current?.id).slice(0, 6);
  const retryIn = message?.retryAt ? Math.max(0, Math.ceil((message.retryAt - wallNow) / 1000)) : 0;

  return (
    <section class={`page discover${prefs.wide ? ' wide' : ''}`} data-page="discover">
      <div class="dsc-head">
        <div>
          <h1>Discover</h1>
          <p class="dsc-tagline muted">A random live stream nobody is watching. Drop in and say hi.</p>
        </div>
        <StatsLine stats={stats} now={now} problem={statsProblem} />
      </div>

      <div class="dsc-toolbar" role="group" aria-label="Discover controls">
        <button type="button" class={`dsc-primary dsc-new${cooling ? ' cooling' : ''}`} data-action="new" disabled={busy || cooling} onClick={() => void newStreamer()} aria-keyshortcuts="N">
          {cooling && <span key={cooldownUntil} class="dsc-cool" style={{ animationDuration: `${Math.max(0, cooldownUntil - wallNow)}ms` }} aria-hidden="true" />}
          <span>New streamer</span>
          <kbd aria-hidden="true">N</kbd>
        </button>
        <button
          type="button"
          data-action="filters"
          aria-haspopup="dialog"
          aria-keyshortcuts="F"
          onClick={() => {
            setFilterMessage(undefined);
            setFiltersOpen(true);
          }}
        >
          <span>Filters</span>
          {activeFilters > 0 && (
            <span class="dsc-count" aria-label={`${activeFilters} active`}>
              {activeFilters}
            </span>
          )}
          <kbd aria-hidden="true">F</kbd>
        </button>
        <button type="button" data-action="grid" aria-pressed={prefs.grid} aria-keyshortcuts="T" onClick={toggleGrid}>
          <span>Thumbnails</span>
          <kbd aria-hidden="true">T</kbd>
        </button>
        <button type="button" data-action="wide" aria-pressed={prefs.wide} aria-keyshortcuts="W" onClick={toggleWide}>
          <span>Wide</span>
          <kbd aria-hidden="true">W</kbd>
        </button>
        <button type="button" class="dsc-icon-btn" data-action="help" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)}>
          ?
        </button>
      </div>

      <FilterSummary
        filters={filters}
        stats={stats}
        onEdit={() => {
          setFilterMessage(undefined);
          setFiltersOpen(true);
        }}
        onClear={() => applyFilters({ ...DEFAULT_FILTERS }, remember)}
      />

      <div class="dsc-live-region" role="status" aria-live="polite">
        {message && (
          <div class={`dsc-notice ${message.kind === 'error' ? 'error' : 'info'}`} data-field="message">
            <span>
              {message.text}
              {message.retryAt && retryIn > 0 && ` Try again in ${retryIn} s.`}
            </span>
            {message.link && (
              <a href={message.link.href} target="_blank" rel="noreferrer">
                {message.link.text}
              </a>
            )}
            {message.retry && (
              <button type="button" onClick={() => void newStreamer({ force: true, cooldown: false })}>
                Try again
              </button>
            )}
            <button type="button" class="dsc-icon" aria-label="Dismiss" onClick={() => setMessage(undefined)}>
              ×
            </button>
          </div>
        )}
      </div>

      <div class="dsc-main">
        {current ? <Stage stream={current} mode={mode} twitchLabel={status?.twitch ?? 'Twitch'} now={now} busy={busy} /> : <EmptyStage busy={busy}>Nobody to show yet.</EmptyStage>}

        {shownHistory.length > 0 && (
          <section class="dsc-history" aria-labelledby="dsc-history-title">
            <h2 id="dsc-history-title">Recently shown</h2>
            <ol>
              {shownHistory.map((h) => (
                <HistoryItem key={h.id} entry={h} real={real} onPick={(e) => void showById(e.id, { login: e.user_login, name: e.user_name })} />
              ))}
            </ol>
          </section>
        )}
      </div>

      {prefs.grid && (
        <section class="dsc-grid-wrap" aria-labelledby="dsc-grid-title">
          <div class="dsc-grid-head">
            <h2 id="dsc-grid-title">More streams nobody is watching</h2>
            <button type="button" data-action="more" disabled={gridBusy} onClick={() => void loadGrid()}>
              {gridBusy ? 'Loading…' : 'More'}
            </button>
          </div>
          {gridMessage ? (
            <p class={`dsc-notice ${gridMessage.kind === 'error' ? 'error' : 'info'}`} data-field="grid-message">
              {gridMessage.text}
            </p>
          ) : (
            grid &&
            shownGrid.length === 0 && (
              <p class="dsc-notice info" data-field="grid-message">
                Nobody else matches these filters right now.
              </p>
            )
          )}
          {!grid && !gridMessage ? (
            <ul class="dsc-grid loading" aria-hidden="true">
              {Array.from({ length: 8 }, (_, i) => (
                <li key={i} class="dsc-skeleton" />
              ))}
            </ul>
          ) : (
            <ul class={`dsc-grid${gridBusy ? ' busy' : ''}`} data-field="grid">
              {shownGrid.map((s) => (
                <StreamCard
                  key={s.id}
                  stream={s}
                  real={real}
                  current={s.id === current?.id}
                  onPick={(picked) => {
                    setPickedFromGrid(picked.id);
                    mainRequest.current?.abort();
                    setBusy(false);
                    setMessage(undefined);
                    show(picked);
                    window.scrollTo({ top: 0, behavior: 'smooth' });
                  }}
                />
              ))}
            </ul>
          )}
        </section>
      )}

      <FilterDialog
        open={filtersOpen}
        filters={filters}
        remember={remember}
        stats={stats}
        message={filterMessage}
        busy={false}
        onApply={applyFilters}
        onClose={() => {
          setFiltersOpen(false);
          setFilterMessage(undefined);
        }}
      />
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </section>
  );
}
