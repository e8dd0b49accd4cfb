import { useState } from 'preact/hooks';
import { parseLogins } from '../lib/mood';
import { describeError } from './notice';

export interface AddChannelsProps {
  onAdded: () => void;
  initial?: string;
  /** the box's label, e.g. "Track channels" */
  label: string;
  /** the button's text, e.g. "Track" */
  button: string;
  /** the form's class and the ids' prefix: `md` gives md-add, md-add-logins, md-add-problem */
  prefix: string;
  /** the API's name, for an older Lurk that lacks it */
  api: string;
  /** sends the logins; resolves to those Twitch does not know (a 200 may name them beside the ones added) */
  add: (logins: string[]) => Promise<readonly string[]>;
  /** a refusal after which the others in the same request were added all the same */
  addedDespite?: (err: Error) => boolean;
}

/** a capability's "add channels" form: logins separated by commas or spaces; the API's refusal (naming the login) shown as it says it */
export function AddChannels({ onAdded, initial = '', label, button, prefix, api, add, addedDespite }: AddChannelsProps) {
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const logins = parseLogins(text);
    if (logins.length === 0) {
      setProblem('Type one or more Twitch logins, separated by commas or spaces.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const unknown = await add(logins);
      setText(unknown.join(', '));
      if (unknown.length > 0) setProblem(`Twitch has no channel named ${unknown.join(', ')}.`);
      onAdded();
    } catch (err) {
      setProblem(describeError(err as Error, api));
      if (addedDespite?.(err as Error)) onAdded();
    } finally {
      setBusy(false);
    }
  };
  const id = `${prefix}-add`;
  return (
    <form class={id} onSubmit={submit} aria-label="Add channels">
      <label for={`${id}-logins`}>{label}</label>
      <input
        id={`${id}-logins`}
        type="text"
        value={text}
        placeholder="login, another_login"
        autocomplete="off"
        spellcheck={false}
        aria-describedby={problem ? `${id}-problem` : undefined}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : button}
      </button>
      {problem && (
        <p id={`${id}-problem`} class={`${id}-problem err-text`} role="alert" data-field="add-error">
          {problem}
        </p>
      )}
    </form>
  );
}
