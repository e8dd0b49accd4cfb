import { useState } from 'preact/hooks';
import { FEATURES, loginHref, type LiveFeature } from '../../lib/live';

const LOGIN_ERRORS: Record<string, string> = {
  access_denied: 'You cancelled the login at Twitch; nothing was shared with Lurk.',
};

/** what a visitor who is not logged in sees: what Live does and the way in, with what to allow at once for their own channel */
export function LoggedOut({ mode, returnTo, loginError }: { mode: 'simulator' | 'twitch'; returnTo: string; loginError?: string | null }) {
  const [features, setFeatures] = useState<LiveFeature[]>([]);
  const toggle = (feature: LiveFeature, on: boolean) => setFeatures((list) => (on ? [...list, feature] : list.filter((f) => f !== feature)));
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
      <fieldset class="live-login-features">
        <legend>Streamer? Also let Lurk read these events of your own channel (you can allow them later):</legend>
        {FEATURES.map((f) => (
          <label key={f.feature} class="live-check" title={f.needs}>
            <input type="checkbox" data-feature={f.feature} checked={features.includes(f.feature)} onChange={(e) => toggle(f.feature, (e.target as HTMLInputElement).checked)} />
            <span>{f.label}</span>
          </label>
        ))}
      </fieldset>
      <p>
        <a
          class="live-button primary"
          href={loginHref(
            returnTo,
            FEATURES.map((f) => f.feature).filter((f) => features.includes(f)),
          )}
          data-field="login"
        >
          Log in with Twitch
        </a>
      </p>
      <p class="small muted" data-field="login-note">
        {mode === 'simulator'
          ? 'Lurk runs its built-in Twitch simulator: the login goes to the simulator’s consent page, where you pick one of its users. Nothing leaves this machine.'
          : 'Twitch asks whether Lurk may know who you are, and for each event you ticked, read it for your channel.'}
      </p>
    </section>
  );
}
