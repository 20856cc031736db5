import type { LocationRecord, SkuRecord } from '../catalog/index.ts';
import { bodyHash } from '../core/canonical-json.ts';
import { toUtcMicros } from '../core/time.ts';
import { describeIssues, type FieldProblem } from '../core/validation.ts';
import type { LedgerEvent } from '../ledger/index.ts';
import { EVENT_TYPES, eventSchema, type InventoryEvent, MAX_QTY, STOCK_MOVING } from './event.schema.ts';

/** Why a record was not applied. The closed set of dead-letter reasons. */
export const REJECTION_REASONS = [
  'unreadable',
  'validation',
  'unknown_sku',
  'unknown_location',
  'unknown_channel',
  'unknown_uom',
  'lot_required',
  'conflict',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Reasons that fixing master data can cure: a replay after the fix applies the record. */
export const MASTER_DATA_REASONS: ReadonlySet<RejectionReason> = new Set([
  'unknown_sku',
  'unknown_location',
  'unknown_channel',
  'unknown_uom',
]);

export type Parsed =
  | { ok: true; event: InventoryEvent; at: string; hash: string }
  | { ok: false; reason: RejectionReason; problems: FieldProblem[]; eventId?: string };

/** Stage one, no database: is this a well-formed canonical event? */
export function parseEvent(value: unknown): Parsed {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      reason: 'unreadable',
      problems: [{ field: '(record)', rule: 'type', message: 'each event must be a JSON object' }],
    };
  }
  const record = value as Record<string, unknown>;
  const eventId = typeof record.event_id === 'string' ? record.event_id : undefined;
  if (typeof record.type !== 'string' || !(EVENT_TYPES as string[]).includes(record.type)) {
    const shown =
      record.type === undefined ? 'is required' : `${JSON.stringify(record.type)} is not an event type`;
    return {
      ok: false,
      reason: 'validation',
      eventId,
      problems: [
        {
          field: 'type',
          rule: 'allowed_values',
          message: `type ${shown}; expected one of ${EVENT_TYPES.join(', ')}`,
        },
      ],
    };
  }
  const parsed = eventSchema.safeParse(record);
  if (!parsed.success)
    return { ok: false, reason: 'validation', eventId, problems: describeIssues(parsed.error) };
  const at = toUtcMicros(parsed.data.occurred_at);
  if (!at) {
    return {
      ok: false,
      reason: 'validation',
      eventId,
      problems: [
        {
          field: 'occurred_at',
          rule: 'precision',
          message: 'occurred_at must not be finer than microseconds',
        },
      ],
    };
  }
  return { ok: true, event: parsed.data, at, hash: bodyHash(parsed.data) };
}

export interface MasterView {
  skus: Map<string, SkuRecord>;
  locations: Map<string, LocationRecord>;
  channels: Set<string>;
}

export type Resolved =
  | { ok: true; ledger: LedgerEvent }
  | { ok: false; reason: RejectionReason; problems: FieldProblem[] };

const fail = (reason: RejectionReason, field: string, rule: string, message: string): Resolved => ({
  ok: false,
  reason,
  problems: [{ field, rule, message }],
});

/** The quantity field an event carries, if any. */
function rawQty(event: InventoryEvent): number | undefined {
  if (event.type === 'cycle_count') return event.counted_qty ?? event.qty;
  if (event.type === 'stock_snapshot') return event.on_hand ?? event.qty;
  return 'qty' in event ? event.qty : undefined;
}

/**
 * Stage two, against master data: known SKU, locations and channel; the unit converted
 * to the SKU's base unit (the result must be a whole number of base units); a lot where
 * the SKU is regulated.
 */
export function resolveEvent(event: InventoryEvent, at: string, master: MasterView): Resolved {
  const sku = master.skus.get(event.sku);
  if (!sku) return fail('unknown_sku', 'sku', 'known', `sku ${event.sku} is not in master data`);
  if (!master.locations.has(event.location)) {
    return fail('unknown_location', 'location', 'known', `location ${event.location} is not in master data`);
  }
  const other =
    event.type === 'transfer_shipped'
      ? ['to_location', event.to_location]
      : event.type === 'transfer_received'
        ? ['from_location', event.from_location]
        : undefined;
  if (other && !master.locations.has(other[1]!)) {
    return fail('unknown_location', other[0]!, 'known', `${other[0]} ${other[1]} is not in master data`);
  }
  if (other && other[1] === event.location) {
    return fail(
      'validation',
      other[0]!,
      'different',
      `${other[0]} must differ from location (${event.location})`,
    );
  }
  if (event.channel && !master.channels.has(event.channel)) {
    return fail('unknown_channel', 'channel', 'known', `channel ${event.channel} is not in master data`);
  }
  let factor = 1;
  if (event.uom && event.uom !== sku.base_uom) {
    const known = sku.uoms[event.uom];
    if (!known) {
      const units = [sku.base_uom, ...Object.keys(sku.uoms)].join(', ');
      return fail(
        'unknown_uom',
        'uom',
        'known',
        `unit ${event.uom} is not defined for sku ${event.sku} (known: ${units})`,
      );
    }
    factor = known;
  }
  const qty = rawQty(event);
  let qtyBase: number | null = null;
  if (qty !== undefined) {
    const converted = qty * factor;
    qtyBase = Math.round(converted);
    // Quantities are kept in whole base units so that sums are exact in any order.
    if (Math.abs(converted - qtyBase) > 1e-6) {
      return fail(
        'validation',
        'qty',
        'whole_base_units',
        `qty ${qty} ${event.uom ?? sku.base_uom} is ${converted} ${sku.base_uom}: not a whole number of base units`,
      );
    }
    if (Math.abs(qtyBase) > MAX_QTY) {
      return fail(
        'validation',
        'qty',
        'maximum',
        `qty is ${qtyBase} ${sku.base_uom}, above the limit of ${MAX_QTY}`,
      );
    }
  }
  if (sku.regulated && STOCK_MOVING.has(event.type) && !event.lot) {
    return fail(
      'lot_required',
      'lot',
      'required',
      `sku ${event.sku} is regulated: a ${event.type} must name its lot`,
    );
  }
  return { ok: true, ledger: { event, at, qtyBase } };
}
