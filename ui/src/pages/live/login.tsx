import { loginHref } from '../../lib/live';

const LOGIN_ERRORS: Record<string, string> = {
  access_denied: 'Twitch said you cancelled the login; nothing was shared with Lurk.',
};

/** what a visitor who is not logged in sees: what Live does and the way in */
export function LoggedOut({ mode, returnTo, loginError }: { mode: 'simulator' | 'twitch'; returnTo: string; loginError?: string | null }) {
  return (
    <section class="live-login" data-field="logged-out" aria-labelledby="live-login-title">
      <h2 id="live-login-title">Log in to follow your favourite streamers live</h2>
      <p>
        Live shows the streams you pick beside their follows, subs, resubs, gifts, cheers and raids as they happen, pushed to the page with no reload, with filters, pause, acknowledgements and an
        overlay for OBS.
      </p>
      {loginError && (
        <p class="err-text" role="alert" data-field="login-error">
          {LOGIN_ERRORS[loginError] ?? `The login did not work (${loginError}).`}
        </p>
      )}
      <p>
        <a class="live-button primary" href={loginHref(returnTo)} data-field="login">
          Log in with Twitch
        </a>
      </p>
      <p class="small muted" data-field="login-note">
        {mode === 'simulator'
          ? 'Lurk runs its built-in Twitch simulator: the login goes to the simulator’s consent page, where you pick one of its users. Nothing leaves this machine.'
          : 'Twitch asks you to allow Lurk to know who you are; nothing more until you allow a feature below.'}
      </p>
    </section>
  );
}
