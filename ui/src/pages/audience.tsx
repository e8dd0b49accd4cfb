import { useEffect, useState } from 'preact/hooks';
import { loginInPath } from '../lib/audience';
import { ChannelView } from './audience/channel';
import { Overview } from './audience/overview';
import './audience/audience.css';

/** Audience: where viewers go when they leave a stream; /audience/<login> opens one channel */
export function AudiencePage() {
  const [login, setLogin] = useState(() => loginInPath(window.location.pathname));
  useEffect(() => {
    const onPop = () => setLogin(loginInPath(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => window.scrollTo(0, 0), [login]);
  return login ? <ChannelView key={login} login={login} /> : <Overview />;
}
