export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${sec}s`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatUptime(ms / 1000);
}

/** "12 s ago" / "in 3 min" relative to `now` */
export function formatRelative(at: number, now: number): string {
  const diff = Math.round((at - now) / 1000);
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 1) return 'now';
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86400)} d`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleString();
}

const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const hourFormats = [0, 1, 2].map((digits) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function formatInt(n: number): string {
  return intFormat.format(Math.round(n));
}

/** hours with thousands separators: "12,345", "87.5", "0.25" */
export function formatHours(h: number): string {
  const abs = Math.abs(h);
  return hourFormats[abs >= 100 || h === 0 ? 0 : abs >= 10 ? 1 : 2]!.format(h);
}

/** short axis labels: "12k", "1.2M" */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return `${+n.toFixed(abs >= 10 || n === 0 ? 0 : 1)}`;
}

/** "Mon 5 Feb 2024" for a date "YYYY-MM-DD" (a calendar date: no zone involved) */
export function formatDay(day: string, withYear = true): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) });
}

/** a moment in a zone: "14:03:12 UTC", with the date when it is not today's date there */
export function formatMoment(at: number, timeZone: string): string {
  const date = new Date(at);
  const opts: Intl.DateTimeFormatOptions = { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' };
  try {
    const sameDay = date.toLocaleDateString('en-CA', { timeZone }) === new Date().toLocaleDateString('en-CA', { timeZone });
    return date.toLocaleString(undefined, sameDay ? opts : { ...opts, day: 'numeric', month: 'short' });
  } catch {
    return date.toISOString();
  }
}

/** "14:00" for an hour in a zone */
export function formatHour(at: number, timeZone: string): string {
  try {
    return new Date(at).toLocaleTimeString(undefined, { timeZone, hour: '2-digit', minute: '2-digit' });
  } catch {
    return new Date(at).toISOString().slice(11, 16);
  }
}
