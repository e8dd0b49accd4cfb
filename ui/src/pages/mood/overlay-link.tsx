import { useState } from 'preact/hooks';
import { overlayHref } from '../../lib/mood';

/** the overlay's address for an OBS browser source, with a copy button */
export function OverlayLink({ login }: { login: string }) {
  const url = overlayHref(login);
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      // no clipboard (plain HTTP on another host): select the text for a manual copy
      (document.getElementById('md-overlay-url') as HTMLInputElement | null)?.select();
      setCopied('no');
    }
  };
  return (
    <div class="md-overlay-link">
      <label for="md-overlay-url">Overlay for OBS (browser source, transparent)</label>
      <input id="md-overlay-url" type="text" readOnly value={url} onFocus={(e) => (e.target as HTMLInputElement).select()} />
      <button type="button" onClick={copy}>
        Copy
      </button>
      <a href={url} target="_blank" rel="noreferrer">
        Open
      </a>
      <span class="small muted" role="status">
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Selected: press Ctrl+C' : ''}
      </span>
    </div>
  );
}
