import type { Connection } from '../../lib/mood';

export function LiveBadge({ connection }: { connection: Connection }) {
  return (
    <span class={`live ${connection}`} data-connection={connection} role="status">
      {connection === 'live' ? 'live' : connection === 'connecting' ? 'connecting…' : 'reconnecting…'}
    </span>
  );
}
