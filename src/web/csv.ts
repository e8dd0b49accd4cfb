// CSV downloads, for every capability that offers its tables as a file.
import type { FastifyReply } from 'fastify';

/**
 * CSV cells: quoted when needed, and text never read as a formula by a spreadsheet. The rule is
 * the one spreadsheets apply (OWASP "CSV Injection"): text starting with a tab or CR, or whose first
 * character after leading whitespace, full-width forms folded (NFKC: ＝ is =), is = + - or @, gets a
 * leading '. Numbers are Lurk's own figures, not user text, so a negative one stays a number.
 */
function csvCell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  let text = v === undefined || v === null ? '' : String(v);
  if (/^[\t\r]/.test(text) || /^[=+\-@]/.test(text.trimStart().slice(0, 8).normalize('NFKC').trimStart())) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** Sends rows as a CSV attachment named `name`.csv; `headers` adds the capability's own (a time zone, say). */
export function sendCsv(reply: FastifyReply, name: string, rows: readonly object[], columns: string[], headers: Record<string, string> = {}) {
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`);
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.send(toCsv(rows as Record<string, unknown>[], columns));
}
