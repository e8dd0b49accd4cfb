import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { addFavourite, FAVOURITES_URL, normalizeLogin, orderFavourites, removeFavourite, streamHref, type LiveFavourite } from '../../lib/live';
import { navigate } from '../../lib/navigate';
import { liveError } from './errors';

/** live state and unread counts change while the page is open: a light refresh now and then */
const REFRESH_MS = 15_000;

/** the user's favourites: add (validated here, then through Helix), remove, reorder with up and down buttons */
export function Favourites({ csrf }: { csrf: string | null }) {
  const [refresh, setRefresh] = useState(0);
  const fetched = useApi<{ favourites: LiveFavourite[] }>(FAVOURITES_URL, refresh);
  const [list, setList] = useState<LiveFavourite[]>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (fetched.data) setList(fetched.data.favourites);
  }, [fetched.data]);
  useEffect(() => {
    const timer = setInterval(() => setRefresh((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (err) {
      setProblem(liveError(err as Error));
      setRefresh((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  const move = (index: number, by: -1 | 1) =>
    act(async () => {
      if (!list) return;
      const logins = list.map((f) => f.login);
      const [moved] = logins.splice(index, 1);
      logins.splice(index + by, 0, moved!);
      const answer = await orderFavourites(csrf, logins);
      setList(answer.favourites);
      // the button pressed may now be gone (first or last): keep the focus on the moved row
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-favourite="${moved}"] [data-move="${by < 0 ? 'up' : 'down'}"]:not(:disabled)`)?.focus());
    });
  const remove = (login: string) =>
    act(async () => {
      await removeFavourite(csrf, login);
      setList((l) => l?.filter((f) => f.login !== login));
    });

  return (
    <section class="live-favourites" aria-labelledby="live-favourites-title">
      <h2 id="live-favourites-title">Favourites</h2>
      <AddFavourite csrf={csrf} onAdded={(f) => setList((l) => (l?.some((x) => x.login === f.login) ? l : [...(l ?? []), f]))} />
      {problem && (
        <p class="err-text" role="alert" data-field="favourites-error">
          {problem}
        </p>
      )}
      {!list ? (
        fetched.error ? (
          <ErrorNotice error={fetched.error} api="Live" onRetry={() => setRefresh((n) => n + 1)} />
        ) : (
          <Loading />
        )
      ) : list.length === 0 ? (
        <p class="live-empty muted" data-field="no-favourites">
          No favourites yet: add a streamer by their Twitch login above.
        </p>
      ) : (
        <ol class="live-fav-list" data-field="favourites" aria-busy={busy}>
          {list.map((f, i) => (
            <li key={f.login} data-favourite={f.login} data-live={f.live === null ? 'unknown' : String(f.live)} data-unread={f.unread}>
              <a
                class="live-fav-name"
                href={streamHref(f.login)}
                onClick={(e) => {
                  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  navigate(streamHref(f.login));
                }}
              >
                {f.display_name}
              </a>
              <span class={`live-state ${f.live ? 'on' : 'off'}`} data-field="live-state">
                {f.live === null ? 'not seen yet' : f.live ? 'live' : 'offline'}
              </span>
              <span class="live-unread" data-field="unread" title="events not acknowledged yet">
                {f.unread === 0 ? 'no unread events' : `${f.unread.toLocaleString('en-US')} unread`}
              </span>
              <span class="live-fav-actions">
                <button type="button" data-move="up" disabled={busy || i === 0} aria-label={`Move ${f.display_name} up`} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button type="button" data-move="down" disabled={busy || i === list.length - 1} aria-label={`Move ${f.display_name} down`} onClick={() => move(i, 1)}>
                  ↓
                </button>
                <button type="button" disabled={busy} aria-label={`Remove ${f.display_name}`} onClick={() => remove(f.login)}>
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** the box: one login, lower-cased and checked here before Lurk asks Twitch about it */
export function AddFavourite({ csrf, onAdded, initial = '' }: { csrf: string | null; onAdded: (f: LiveFavourite) => void; initial?: string }) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const login = normalizeLogin(text);
    if (!login) {
      setProblem('A Twitch login is 1 to 25 letters, digits or underscores.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const { favourite } = await addFavourite(csrf, login);
      setText('');
      onAdded(favourite);
    } catch (err) {
      setProblem(liveError(err as Error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="live-add" onSubmit={submit} aria-label="Add a favourite">
      <label for="live-add-login">Add a favourite streamer</label>
      <input
        id="live-add-login"
        type="text"
        value={text}
        placeholder="twitch_login"
        maxLength={40}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={problem ? 'live-add-problem' : undefined}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add'}
      </button>
      {problem && (
        <p id="live-add-problem" class="err-text" role="alert" data-field="add-error">
          {problem}
        </p>
      )}
    </form>
  );
}
