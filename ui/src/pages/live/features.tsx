import { FEATURES, loginHref, type LiveFeature } from '../../lib/live';

/** what the logged-in user has allowed, and a login for each feature they have not (Twitch asks only for that one's scope more) */
export function Features({ features, returnTo }: { features: readonly LiveFeature[]; returnTo: string }) {
  const missing = FEATURES.filter((f) => !features.includes(f.feature)).map((f) => f.feature);
  return (
    <section class="live-features" aria-labelledby="live-features-title" data-field="features">
      <h2 id="live-features-title">Events of your own channel</h2>
      <p class="muted small">
        Online, offline, title changes and raids work for any channel. Twitch shows some events of a channel only to its streamer (and follows to its moderators): allow them here for your own channel,
        and everyone who favourites it on this Lurk sees them too.
      </p>
      <ul>
        {FEATURES.map((f) => {
          const allowed = features.includes(f.feature);
          return (
            <li key={f.feature} data-feature={f.feature} data-allowed={allowed ? 'true' : 'false'}>
              <div class="live-feature-text">
                <b>{f.label}</b> <code class="small">{f.scope}</code>
                <p class="small muted">{f.needs}</p>
              </div>
              {allowed ? (
                <span class="live-allowed">Allowed</span>
              ) : (
                <a class="live-button" href={loginHref(returnTo, [f.feature])} aria-label={`Allow ${f.label}`}>
                  Allow
                </a>
              )}
            </li>
          );
        })}
      </ul>
      {missing.length > 1 && (
        <a class="live-button" href={loginHref(returnTo, missing)} data-field="allow-all">
          Allow all of them
        </a>
      )}
    </section>
  );
}
