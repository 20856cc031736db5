/**
 * An ISO-8601 date-time with zone, as UTC with exactly six fractional digits:
 * `2026-03-01T08:30:00.123456Z`. Strings in this form sort as the instants they name,
 * at PostgreSQL's (microsecond) precision. Returns undefined for anything else, or for
 * more precision than microseconds.
 */
export function toUtcMicros(iso: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(iso);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > 6) return undefined;
  const wholeSeconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(wholeSeconds)) return undefined;
  const base = new Date(wholeSeconds).toISOString().slice(0, 19);
  return `${base}.${fraction.padEnd(6, '0')}Z`;
}

/** Parses a user's time ("2026-03-01", "2026-03-01T12:00:00Z", "now") to UTC micros. */
export function parseUserTime(text: string): string | undefined {
  if (text === 'now') return toUtcMicros(new Date().toISOString());
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return toUtcMicros(`${text}T23:59:59.999999Z`);
  return toUtcMicros(text);
}
