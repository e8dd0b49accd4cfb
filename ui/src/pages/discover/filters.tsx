import { useEffect, useRef, useState } from 'preact/hooks';
import { DEFAULT_FILTERS, filterProblem, LANGUAGES, languageName, MIN_AGES, type DiscoverStats, type Filters } from '../../lib/discover';

interface Props {
  open: boolean;
  filters: Filters;
  remember: boolean;
  stats: DiscoverStats | undefined;
  /** why the dialog (re)opened, e.g. nothing matched */
  message: string | undefined;
  busy: boolean;
  onApply: (filters: Filters, remember: boolean) => void;
  onClose: () => void;
}

/** The filter form, in a modal <dialog>: edits a draft, Apply hands it back. */
export function FilterDialog({ open, filters, remember, stats, message, busy, onApply, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const includeRef = useRef<HTMLInputElement>(null);
  // the latest `open` prop: a close event for a close we asked for must not undo a reopening
  const openProp = useRef(open);
  openProp.current = open;
  const [draft, setDraft] = useState(filters);
  const [keep, setKeep] = useState(remember);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open) {
      setDraft(filters);
      setKeep(remember);
      setProblem(undefined);
      if (!d.open) d.showModal();
      includeRef.current?.focus();
    } else if (d.open) d.close();
    // the draft restarts from the applied filters each time the dialog opens
  }, [open]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setProblem(undefined);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const p = filterProblem(draft);
    if (p) {
      setProblem(p);
      return;
    }
    onApply(draft, keep);
  };

  const games = [...(stats?.per_game ?? [])].map((g) => ({ ...g, count: g.zero + (draft.oneViewer ? g.one : 0) })).sort((a, b) => b.count - a.count || a.game_name.localeCompare(b.game_name));
  const shownProblem = problem ?? message;

  return (
    <dialog
      ref={ref}
      class="dsc-dialog dsc-filters"
      aria-labelledby="dsc-filters-title"
      onClose={() => {
        // only a close the visitor made (Esc) is reported; one we asked for (the prop went
        // false) may arrive after the dialog was reopened with a message, and must not clear it
        if (!ref.current?.open && openProp.current) onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <form class="dsc-dialog-body" onSubmit={submit} noValidate>
        <div class="dsc-dialog-head">
          <h2 id="dsc-filters-title">Filters</h2>
          <button type="button" class="dsc-icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {shownProblem && (
          <p class="dsc-notice warn" role="alert" data-field="filter-message">
            {shownProblem}
          </p>
        )}

        <div class="dsc-field">
          <label for="dsc-include">Include</label>
          <input
            ref={includeRef}
            id="dsc-include"
            name="include"
            type="text"
            autocomplete="off"
            placeholder="e.g. speedrun, cozy, minecraft"
            aria-describedby="dsc-include-hint"
            value={draft.include}
            onInput={(e) => set('include', e.currentTarget.value)}
          />
          <p id="dsc-include-hint" class="small muted">
            Matched against title, category, tags and channel name; separate terms with commas.
          </p>
        </div>

        <fieldset class="dsc-seg">
          <legend>Include must match</legend>
          {(['all', 'any'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="match" value={m} checked={draft.match === m} onChange={() => set('match', m)} />
              <span>{m === 'all' ? 'every term' : 'any term'}</span>
            </label>
          ))}
        </fieldset>

        <div class="dsc-field">
          <label for="dsc-exclude">Exclude</label>
          <input
            id="dsc-exclude"
            name="exclude"
            type="text"
            autocomplete="off"
            placeholder="e.g. rerun, 24/7"
            aria-describedby="dsc-exclude-hint"
            value={draft.exclude}
            onInput={(e) => set('exclude', e.currentTarget.value)}
          />
          <p id="dsc-exclude-hint" class="small muted">
            A stream matching any of these is left out.
          </p>
        </div>

        <fieldset class="dsc-seg">
          <legend>Live for at least</legend>
          {MIN_AGES.map((m) => (
            <label key={m}>
              <input type="radio" name="min_age" value={String(m)} checked={draft.minAge === m} onChange={() => set('minAge', m)} />
              <span>{m === 0 ? 'any time' : `${m} min`}</span>
            </label>
          ))}
        </fieldset>

        <div class="dsc-row">
          <div class="dsc-field">
            <label for="dsc-language">Language</label>
            <select id="dsc-language" name="language" value={draft.language} onChange={(e) => set('language', e.currentTarget.value)}>
              <option value="">Any language</option>
              {LANGUAGES.map((code) => (
                <option key={code} value={code}>
                  {code === 'other' ? 'Other' : `${languageName(code)} (${code})`}
                </option>
              ))}
            </select>
          </div>
          <div class="dsc-field">
            <label for="dsc-game">Category</label>
            <select id="dsc-game" name="game" value={draft.game} onChange={(e) => set('game', e.currentTarget.value)}>
              <option value="">Any category</option>
              {draft.game && !games.some((g) => g.game_id === draft.game) && <option value={draft.game}>category {draft.game}</option>}
              {games.map((g) => (
                <option key={g.game_id} value={g.game_id}>
                  {g.game_name} ({g.count})
                </option>
              ))}
            </select>
          </div>
        </div>

        <label class="dsc-check">
          <input type="checkbox" name="one_viewer" checked={draft.oneViewer} onChange={(e) => set('oneViewer', e.currentTarget.checked)} />
          <span>Include streams with one viewer</span>
        </label>
        <label class="dsc-check">
          <input type="checkbox" name="remember" checked={keep} onChange={(e) => setKeep(e.currentTarget.checked)} />
          <span>Remember my filters on this device</span>
        </label>

        <div class="dsc-dialog-foot">
          <button type="button" onClick={() => setDraft({ ...DEFAULT_FILTERS })}>
            Reset
          </button>
          <span class="dsc-spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="dsc-primary" disabled={busy}>
            Apply
          </button>
        </div>
      </form>
    </dialog>
  );
}
