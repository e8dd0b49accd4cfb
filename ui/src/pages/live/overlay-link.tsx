import { useState } from 'preact/hooks';
import { rotateOverlay } from '../../lib/live';
import { liveError } from './errors';

function absolute(url: string): string {
  return url.startsWith('/') ? `${location.origin}${url}` : url;
}

/** the channel's secret overlay address for OBS, to copy, and a button that replaces it (the old one stops working) */
export function OverlayLink({ login, csrf, url, onRotated }: { login: string; csrf: string | null; url: string; onRotated: (url: string) => void }) {
  const full = absolute(url);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(full);
      setNote('Copied');
    } catch {
      // no clipboard (plain HTTP on another host): select the text for a manual copy
      (document.getElementById('live-overlay-url') as HTMLInputElement | null)?.select();
      setNote('Selected: press Ctrl+C');
    }
  };
  const rotate = async () => {
    setBusy(true);
    try {
      const answer = await rotateOverlay(csrf, login);
      onRotated(answer.overlay_url);
      setNote('A new URL: the old one no longer works');
    } catch (err) {
      setNote(liveError(err as Error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="live-overlay-link">
      <label for="live-overlay-url">Overlay for OBS (browser source, transparent; keep the URL secret)</label>
      <input id="live-overlay-url" type="text" readOnly value={full} onFocus={(e) => (e.target as HTMLInputElement).select()} data-field="overlay-url" />
      <button type="button" onClick={copy}>
        Copy
      </button>
      <a href={full} target="_blank" rel="noreferrer">
        Open
      </a>
      <button type="button" onClick={rotate} disabled={busy} title="Replace the URL, for when it leaked: the old one stops working">
        New URL
      </button>
      <span class="small muted" role="status">
        {note}
      </span>
    </div>
  );
}
