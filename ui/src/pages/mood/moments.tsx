import type { MoodMoment } from '../../../../src/mood/types';
import { BarList } from '../../components/bar-list';
import { formatRate, formatScore, moodWord } from '../../lib/mood';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function momentTitle(m: MoodMoment): string {
  const what = m.kind === 'spike' ? 'Chat spike' : 'Mood swing';
  return `${what} at ${clock.format(Date.parse(m.started_at))}`;
}

/** the channel's moments, newest first; one of them opened with its details */
export function MomentList({ moments, selected, onSelect }: { moments: MoodMoment[]; selected?: string; onSelect: (id: string | undefined) => void }) {
  if (moments.length === 0)
    return (
      <p class="muted" data-field="no-moments">
        No moments yet: a spike of the message rate or a sharp swing of mood against the channel's own recent minutes shows up here.
      </p>
    );
  const open = moments.find((m) => m.id === selected);
  return (
    <div class="md-moments">
      <ul aria-label="Moments" data-field="moments">
        {moments.map((m) => (
          <li key={m.id} data-moment={m.id} data-kind={m.kind} data-started={m.started_at}>
            <button type="button" aria-expanded={m.id === selected} aria-controls="md-moment-detail" onClick={() => onSelect(m.id === selected ? undefined : m.id)}>
              <span class="md-moment-title">{momentTitle(m)}</span>
              <span class="muted small">
                {' '}
                {formatRate(m.peak_rate)}/min from {formatRate(m.baseline_rate)} · {moodWord(m.mood)}
                {m.ended_at === null && ' · going on'}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {open && <MomentDetail moment={open} />}
    </div>
  );
}

function MomentDetail({ moment: m }: { moment: MoodMoment }) {
  return (
    <section id="md-moment-detail" class="md-moment-detail card" aria-label={momentTitle(m)} data-field="moment-detail">
      <h3>{momentTitle(m)}</h3>
      <dl class="md-facts small">
        <dt>Peak</dt>
        <dd class="num">
          {formatRate(m.peak_rate)} messages/min at {clock.format(Date.parse(m.peak_at))}, from a baseline of {formatRate(m.baseline_rate)}
        </dd>
        <dt>Mood</dt>
        <dd>
          {moodWord(m.mood)} <span class="num muted">{formatScore(m.mean_score)}</span> (before: {formatScore(m.baseline_score)})
        </dd>
        <dt>Ended</dt>
        <dd>{m.ended_at ? clock.format(Date.parse(m.ended_at)) : 'still going on'}</dd>
      </dl>
      {m.top_emotes.length > 0 && <BarList title="Top emotes in the moment" bars={m.top_emotes.map((e) => ({ key: e.name, label: e.name, value: e.count, text: String(e.count) }))} />}
      <h4>Example messages</h4>
      {m.examples.length === 0 ? (
        <p class="muted small">none kept</p>
      ) : (
        <ul class="md-examples" aria-label="Example messages">
          {m.examples.map((x, i) => (
            <li key={`${x.at} ${i}`} class={x.label}>
              <span class="muted small num">{clock.format(Date.parse(x.at))}</span> <strong>{x.user}</strong>: {x.text} <span class="small muted">({x.label})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** the moments as marks on the charts' time axis, each a button that opens it */
export function MomentMarks({ moments, from, to, onSelect }: { moments: MoodMoment[]; from: number; to: number; onSelect: (id: string) => void }) {
  const inRange = moments.filter((m) => {
    const t = Date.parse(m.started_at);
    return t >= from && t <= to;
  });
  return (
    <div class="md-marks" role="group" aria-label="Moments on the timeline" data-field="moment-marks">
      {inRange.map((m) => (
        <button
          type="button"
          key={m.id}
          class={`md-mark ${m.kind}`}
          style={{ left: `${((Date.parse(m.started_at) - from) / Math.max(1, to - from)) * 100}%` }}
          aria-label={momentTitle(m)}
          title={momentTitle(m)}
          onClick={() => onSelect(m.id)}
        >
          {m.kind === 'spike' ? '▲' : '◆'}
        </button>
      ))}
    </div>
  );
}
