import { useEffect, useState } from 'preact/hooks';
import { loginInPath } from '../lib/live';
import { LiveHome } from './live/home';
import { StreamPage } from './live/stream';

/** Live: log in with Twitch, favourite streamers; /live/<login> is a favourite's stream with its events */
export function LivePage() {
  const [login, setLogin] = useState(() => loginInPath(window.location.pathname));
  useEffect(() => {
    const onPop = () => setLogin(loginInPath(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => window.scrollTo(0, 0), [login]);
  return <div class="live-page">{login ? <StreamPage key={login} login={login} /> : <LiveHome />}</div>;
}
