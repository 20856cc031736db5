import type { IngestResult } from '../ingest/index.ts';
import type { StockPicture } from '../ledger/index.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function ingestSummary(what: string, result: IngestResult): string {
  const lines = [
    `${what}: ${result.received} received, ${result.accepted} accepted, ${result.duplicates} duplicates, ` +
      `${result.conflicts} conflicts, ${result.rejected} rejected`,
  ];
  const shown = result.rejections.slice(0, 20);
  for (const r of shown) lines.push(`  ${r.reason.padEnd(16)} ${r.message}  [${r.dead_letter_id}]`);
  const more = result.rejected + result.conflicts - shown.length;
  if (more > 0) lines.push(`  … and ${more} more: invex dlq list`);
  return lines.join('\n');
}

export function stockTable(p: StockPicture): string {
  const rows: [string, string][] = [
    ['sku / location', `${p.sku} @ ${p.location}${p.as_of ? ` as of ${p.as_of}` : ''}`],
    ['ledger on-hand', String(p.ledger_on_hand)],
    [
      'sellable / unsellable',
      `${p.sellable} / ${p.unsellable} (returns pending ${p.returns_pending}, damaged ${p.damaged})`,
    ],
    ['reserved / picked', `${p.reserved} / ${p.picked}`],
    ['in transit in / out', `${p.in_transit_in} / ${p.in_transit_out}`],
    ['on order', String(p.on_order)],
  ];
  if (p.record_confidence) {
    rows.push([
      'record confidence',
      `${p.record_confidence.confidence} (shelf empty with probability ${p.record_confidence.probability_empty}, as of ${p.record_confidence.updated_at})`,
    ]);
  }
  for (const [source, r] of Object.entries(p.by_source)) {
    rows.push([`reported by ${source}`, `${r.on_hand} at ${r.reported_at} (${r.event_id})`]);
  }
  for (const [channel, a] of Object.entries(p.atp)) {
    rows.push([
      `ATP ${channel}`,
      `${a.qty} (buffer ${a.buffer}${a.listing === 'paused' ? ', listing paused' : ''}${a.confidence_factor !== undefined ? `, x${a.confidence_factor} for record confidence` : ''})`,
    ]);
  }
  rows.push(['events / last', `${p.event_count} / ${p.last_event_at ?? '-'}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
