import { useEffect, useState } from 'preact/hooks';
import { hueOf, thumbnailUrl, type Stream } from '../../lib/discover';

type ThumbStream = Pick<Stream, 'thumbnail_url' | 'game_name' | 'user_login'>;

/**
 * A stream's preview picture. With real Twitch it loads the thumbnail and falls back to a placeholder
 * when it fails; with simulated Twitch (no `real`) it never asks the image host (which does not exist
 * offline) and draws the placeholder: a colour per game with the game's name.
 */
export function Thumb({ stream, real, large = false }: { stream: ThumbStream; real: boolean; large?: boolean }) {
  const url = real ? thumbnailUrl(stream, large ? 640 : 320, large ? 360 : 180) : undefined;
  const [failed, setFailed] = useState(false);
  useEffect(() => setFailed(false), [url]);
  const showImage = url !== undefined && !failed;
  return (
    <div class={`dsc-thumb${large ? ' large' : ''}`} style={{ '--hue': hueOf(stream.game_name || stream.user_login) }}>
      <div class="dsc-ph" aria-hidden="true">
        <span class="dsc-ph-game">{stream.game_name || 'No category'}</span>
      </div>
      {showImage && <img src={url} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />}
    </div>
  );
}
