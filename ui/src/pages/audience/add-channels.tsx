import { AddChannels as AddChannelsForm } from '../../components/add-channels';
import { ApiError } from '../../lib/api';
import { watchChannels } from '../../lib/audience';

async function watch(logins: string[]): Promise<readonly string[]> {
  const answer = (await watchChannels(logins)) as { unknown?: string[] } | undefined;
  // logins Twitch does not know may come back in a 200 beside the ones added
  return answer?.unknown ?? [];
}

/** logins Twitch does not know are refused by name, the others in the same request are watched */
const addedDespite = (err: Error) => err instanceof ApiError && err.status === 404 && err.code === 'not_found';

/** "Watch channels": logins separated by commas or spaces; the API's refusal (naming the login) shown as it says it */
export function AddChannels({ onAdded, initial }: { onAdded: () => void; initial?: string }) {
  return <AddChannelsForm onAdded={onAdded} initial={initial} label="Watch channels" button="Watch" prefix="au" api="Audience" add={watch} addedDespite={addedDespite} />;
}
