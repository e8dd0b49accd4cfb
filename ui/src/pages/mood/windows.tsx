import type { MoodWindows, WindowName } from '../../../../src/mood/types';
import { formatInt } from '../../lib/format';
import { formatRate, formatScore, formatShare, moodWord } from '../../lib/mood';

const NAMES: { name: WindowName; title: string }[] = [
  { name: '1m', title: 'Last minute' },
  { name: '5m', title: 'Last 5 minutes' },
  { name: '15m', title: 'Last 15 minutes' },
];

/** the three rolling windows side by side */
export function WindowCards({ windows }: { windows: MoodWindows }) {
  return (
    <div class="cards md-windows" data-field="windows">
      {NAMES.map(({ name, title }) => {
        const w = windows[name];
        return (
          <section class="card" key={name} data-window={name} aria-label={title}>
            <div class="label">{title}</div>
            <div class="value">
              <span class="num" data-field="window-rate">
                {formatRate(w.messages_per_minute)}
              </span>{' '}
              <span class="muted small">messages/min</span>
            </div>
            <dl class="md-facts small">
              <dt>Mood</dt>
              <dd data-field="window-mood">
                {moodWord(w.mood)} <span class="muted num">{formatScore(w.mean_score)}</span>
              </dd>
              <dt>Positive · neutral · negative</dt>
              <dd class="num" data-field="window-shares">
                {formatShare(w.positive, w.messages)} · {formatShare(w.neutral, w.messages)} · {formatShare(w.negative, w.messages)}
              </dd>
              <dt>Messages · chatters</dt>
              <dd class="num">
                {formatInt(w.messages)} · <span data-field="window-chatters">{formatInt(w.chatters)}</span>
              </dd>
              <dt>Bits · subs</dt>
              <dd class="num">
                {formatInt(w.bits)} · {formatInt(w.subs)}
              </dd>
            </dl>
          </section>
        );
      })}
    </div>
  );
}
