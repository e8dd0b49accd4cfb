import { useEffect, useState } from 'preact/hooks';
import { ChannelView } from './mood/channel';
import { MoodGrid } from './mood/grid';
import './mood/mood.css';

function channelInAddress(): string | undefined {
  return new URLSearchParams(window.location.search).get('channel')?.trim().toLowerCase() || undefined;
}

/** Mood: how the tracked channels' chats feel; ?channel=login opens one of them */
export function MoodPage() {
  const [channel, setChannel] = useState(channelInAddress);
  useEffect(() => {
    const onPop = () => setChannel(channelInAddress());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return channel ? <ChannelView key={channel} login={channel} /> : <MoodGrid />;
}
