import { useEffect, useRef } from 'preact/hooks';

export const SHORTCUTS: [key: string, what: string][] = [
  ['N', 'New streamer'],
  ['T', 'Show or hide the thumbnails'],
  ['F', 'Filters'],
  ['W', 'Wide (theatre) mode'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog, leave wide mode'],
];

/** Keyboard shortcuts, in a modal <dialog> (Esc closes it). */
export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="dsc-dialog dsc-help"
      aria-labelledby="dsc-help-title"
      onClose={() => {
        // a close we asked for (the prop went false) may arrive after the dialog was opened again
        if (!ref.current?.open) onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="dsc-dialog-body">
        <div class="dsc-dialog-head">
          <h2 id="dsc-help-title">Keyboard shortcuts</h2>
          <button type="button" class="dsc-icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <dl class="dsc-keys">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p class="small muted">Shortcuts are off while you type in a field. Click a thumbnail to watch it here; Ctrl/⌘-click or middle-click opens it on Twitch in a new tab.</p>
      </div>
    </dialog>
  );
}
