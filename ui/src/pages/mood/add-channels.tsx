import { AddChannels as AddChannelsForm } from '../../components/add-channels';
import { trackChannels } from '../../lib/mood';

async function track(logins: string[]): Promise<readonly string[]> {
  await trackChannels(logins);
  return [];
}

/** "Track channels": logins separated by commas or spaces; the API's refusal (naming the login) shown as it says it */
export function AddChannels({ onAdded, initial }: { onAdded: () => void; initial?: string }) {
  return <AddChannelsForm onAdded={onAdded} initial={initial} label="Track channels" button="Track" prefix="md" api="Mood" add={track} />;
}
