import { useState } from 'preact/hooks';
import { ErrorNotice, Loading } from '../../components/notice';
import { useApi } from '../../lib/api';
import { logout, ME_URL, type LiveMe } from '../../lib/live';
import { liveError } from './errors';
import { Favourites } from './favourites';
import { Features } from './features';
import { LoggedOut } from './login';

/** /live: the way in, or who you are, your favourites and what more you could allow */
export function LiveHome() {
  const [refresh, setRefresh] = useState(0);
  const me = useApi<LiveMe>(ME_URL, refresh);
  const loginError = new URLSearchParams(window.location.search).get('login_error');
  return (
    <section class="live-home" aria-labelledby="live-title">
      <div class="live-head">
        <h1 id="live-title">Live</h1>
        <p class="muted live-tagline">Your favourite streamers, their follows, subs, cheers and raids as they happen.</p>
      </div>
      {me.error && !me.data ? (
        <ErrorNotice error={me.error} api="Live" onRetry={() => setRefresh((n) => n + 1)} />
      ) : !me.data ? (
        <Loading />
      ) : me.data.user ? (
        <LoggedIn me={me.data as LiveMe & { user: NonNullable<LiveMe['user']> }} onLoggedOut={() => setRefresh((n) => n + 1)} />
      ) : (
        <LoggedOut mode={me.data.mode} returnTo="/live" loginError={loginError} />
      )}
    </section>
  );
}

function LoggedIn({ me, onLoggedOut }: { me: LiveMe & { user: NonNullable<LiveMe['user']> }; onLoggedOut: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const out = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await logout(me.csrf);
      onLoggedOut();
    } catch (err) {
      setProblem(liveError(err as Error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="live-me" data-field="me" data-login={me.user.login}>
        <span>
          Logged in as <b data-field="me-name">{me.user.display_name}</b>
          {me.user.display_name.toLowerCase() !== me.user.login && <span class="muted"> ({me.user.login})</span>}
          {me.mode === 'simulator' && <span class="live-badge sim">simulated Twitch</span>}
        </span>
        <button type="button" onClick={out} disabled={busy} data-field="logout">
          {busy ? 'Logging out…' : 'Log out'}
        </button>
        {problem && (
          <span class="err-text" role="alert">
            {problem}
          </span>
        )}
      </div>
      <Favourites csrf={me.csrf} />
      <Features features={me.user.features} returnTo="/live" />
    </>
  );
}
