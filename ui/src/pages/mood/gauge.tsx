import type { MoodLabel } from '../../../../src/mood/types';
import { formatScore, moodWord } from '../../lib/mood';

/** the mean score −1..1 as a needle on a track, with the mood in words beside it (colour only repeats them) */
export function Gauge({ score, mood, label = 'Mood' }: { score: number | null; mood: MoodLabel | null; label?: string }) {
  const position = score === null ? 50 : ((Math.max(-1, Math.min(1, score)) + 1) / 2) * 100;
  return (
    <div
      class={`md-gauge ${mood ?? 'none'}`}
      role="meter"
      aria-label={label}
      aria-valuemin={-1}
      aria-valuemax={1}
      aria-valuenow={score ?? 0}
      aria-valuetext={`${moodWord(mood)}, score ${formatScore(score)}`}
      data-field="gauge"
      data-score={score === null ? '' : String(score)}
    >
      <div class="md-gauge-track" aria-hidden="true">
        <span class="md-gauge-needle" style={{ left: `${position}%` }} />
      </div>
      <div class="md-gauge-text">
        <span class="md-mood-word" data-field="mood-word">
          {moodWord(mood)}
        </span>
        <span class="num muted" data-field="score">
          {formatScore(score)}
        </span>
      </div>
    </div>
  );
}
