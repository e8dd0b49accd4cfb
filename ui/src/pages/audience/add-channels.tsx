import { useState } from 'preact/hooks';
import { describeError } from '../../components/notice';
import { ApiError } from '../../lib/api';
import { watchChannels } from '../../lib/audience';
import { parseLogins } from '../../lib/mood';

/** "Watch channels": logins separated by commas or spaces; the API's refusal (naming the login) shown as it says it */
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
      const answer = (await watchChannels(logins)) as { unknown?: string[] } | undefined;
      // logins Twitch does not know may come back in a 200 beside the ones added
      const unknown = answer?.unknown ?? [];
      setText(unknown.join(', '));
      if (unknown.length > 0) setProblem(`Twitch has no channel named ${unknown.join(', ')}.`);
      onAdded();
    } catch (err) {
      setProblem(describeError(err as Error, 'Audience'));
      // logins Twitch does not know are refused by name, the others in the same request are watched
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found') onAdded();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="au-add" onSubmit={submit} aria-label="Add channels">
      <label for="au-add-logins">Watch channels</label>
      <input
        id="au-add-logins"
        type="text"
        value={text}
        placeholder="login, another_login"
        autocomplete="off"
        spellcheck={false}
        aria-describedby={problem ? 'au-add-problem' : undefined}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Watch'}
      </button>
      {problem && (
        <p id="au-add-problem" class="au-add-problem err-text" role="alert" data-field="add-error">
          {problem}
        </p>
      )}
    </form>
  );
}
