/**
 * A timestamptz column as UTC text with microseconds (`2026-03-01T09:30:00.000000Z`): the
 * form the ledger orders by, and one that keeps PostgreSQL's precision (a JavaScript Date
 * would drop the microseconds).
 */
export function utcText(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
