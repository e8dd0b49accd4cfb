import { useState } from 'preact/hooks';
import { describeError } from '../../components/notice';
import { parseLogins, trackChannels } from '../../lib/mood';

/** "Track channels": logins separated by commas or spaces; the API's refusal (naming the login) shown as it says it */
export function AddChannels({ onAdded, initial = '' }: { onAdded: () => void; initial?: string }) {
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
      await trackChannels(logins);
      setText('');
      onAdded();
    } catch (err) {
      setProblem(describeError(err as Error, 'Mood'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="md-add" onSubmit={submit} aria-label="Add channels">
      <label for="md-add-logins">Track channels</label>
      <input
        id="md-add-logins"
        type="text"
        value={text}
        placeholder="login, another_login"
        autocomplete="off"
        spellcheck={false}
        aria-describedby={problem ? 'md-add-problem' : undefined}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Track'}
      </button>
      {problem && (
        <p id="md-add-problem" class="md-add-problem err-text" role="alert" data-field="add-error">
          {problem}
        </p>
      )}
    </form>
  );
}
