import { useEffect, useRef, useState } from 'preact/hooks';
import { dayCount, formatRange, isDay, PRESETS, presetOf, presetRange, type Overview, type Preset, type Range } from '../../lib/watchtime';

interface Props {
  range: Range;
  days: Pick<Overview, 'today' | 'yesterday' | 'first_day'>;
  onChange: (range: Range) => void;
}

const MAX_DAYS = 366;

/** Today, Yesterday, Last 7 / 30 days, This month, or two dates. */
export function RangePicker({ range, days, onChange }: Props) {
  const preset = presetOf(range, days);
  const [custom, setCustom] = useState(preset === undefined);
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  /** the next range change comes from the date inputs, which stay open even if it matches a preset */
  const editing = useRef(false);
  // the range can also change from outside (back button, a link)
  useEffect(() => {
    setFrom(range.from);
    setTo(range.to);
    if (!editing.current) setCustom(presetOf(range, days) === undefined);
    editing.current = false;
  }, [range.from, range.to]);

  const selected: Preset | 'custom' = custom || preset === undefined ? 'custom' : preset;
  let problem: string | undefined;
  if (!isDay(from) || !isDay(to)) problem = 'Pick both dates';
  else if (from > to) problem = 'The first date comes after the second';
  else if (dayCount({ from, to }) > MAX_DAYS) problem = `At most ${MAX_DAYS} days at once`;

  function pickPreset(p: Preset) {
    setCustom(false);
    onChange(presetRange(p, days));
  }

  function edit(nextFrom: string, nextTo: string) {
    setFrom(nextFrom);
    setTo(nextTo);
    if (isDay(nextFrom) && isDay(nextTo) && nextFrom <= nextTo && dayCount({ from: nextFrom, to: nextTo }) <= MAX_DAYS && (nextFrom !== range.from || nextTo !== range.to)) {
      editing.current = true;
      onChange({ from: nextFrom, to: nextTo });
    }
  }

  return (
    <div class="wt-range" data-field="range">
      <fieldset class="wt-seg" aria-label="Time range">
        {PRESETS.map((p) => (
          <label key={p.id} title={p.hint} data-preset={p.id}>
            {/* a click on the preset already shown (the page's default, say) puts it in the address */}
            <input type="radio" name="wt-range" value={p.id} checked={selected === p.id} onChange={() => pickPreset(p.id)} onClick={() => selected === p.id && pickPreset(p.id)} />
            <span>
              {p.label}
              {p.id === 'today' && <span class="wt-partial"> (partial)</span>}
            </span>
          </label>
        ))}
        <label data-preset="custom">
          <input type="radio" name="wt-range" value="custom" checked={selected === 'custom'} onChange={() => setCustom(true)} />
          <span>Custom</span>
        </label>
      </fieldset>
      {selected !== 'custom' && (
        <span class="small muted" data-field="range-text">
          {formatRange(range)}
        </span>
      )}
      {selected === 'custom' && (
        <div class="wt-custom" data-field="custom-range">
          <label>
            <span class="small muted">From</span>
            <input type="date" name="from" value={from} min={days.first_day ?? undefined} max={days.today} required onChange={(e) => edit((e.currentTarget as HTMLInputElement).value, to)} />
          </label>
          <label>
            <span class="small muted">To</span>
            <input type="date" name="to" value={to} min={days.first_day ?? undefined} max={days.today} required onChange={(e) => edit(from, (e.currentTarget as HTMLInputElement).value)} />
          </label>
          {problem && (
            <span class="small err-text" role="alert">
              {problem}
            </span>
          )}
        </div>
      )}
    </div>
  );
}
