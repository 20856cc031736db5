import { z } from 'zod';
import { CODE, channelName, uomName } from '../catalog/index.ts';

/**
 * The canonical inventory event. Every system's feed is mapped to these types; the zod
 * schemas here validate ingestion, generate docs/events.schema.json and the OpenAPI
 * document, so the three cannot drift apart.
 */
export const SOURCES = [
  'erp',
  'wms',
  'pos',
  'oms',
  'ecommerce',
  'marketplace',
  'supplier',
  'tms',
  'store_ops',
] as const;
export type Source = (typeof SOURCES)[number];

export const REF_KINDS = [
  'order_id',
  'po_id',
  'asn_id',
  'transfer_id',
  'return_id',
  'count_id',
  'promotion_id',
] as const;
export type RefKind = (typeof REF_KINDS)[number];

/** Largest quantity of one event, in base units: bounds sums far below 2^53. */
export const MAX_QTY = 1_000_000_000;

const refValue = z.string().min(1).max(128);
const refSchema = z
  .strictObject(
    Object.fromEntries(REF_KINDS.map((k) => [k, refValue.optional()])) as Record<
      RefKind,
      z.ZodOptional<typeof refValue>
    >,
  )
  .describe('Correlation ids tying the event to orders, purchase orders, ASNs, transfers, returns, counts');

const timestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-03-01T09:30:00Z',
});
const positiveQty = z.number().positive({ message: 'must be greater than 0' }).max(MAX_QTY);
const nonNegativeQty = z.number().nonnegative({ message: 'must be 0 or more' }).max(MAX_QTY);

const common = {
  event_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' })
    .describe('Idempotency key: an event_id is applied once, however often it arrives'),
  occurred_at: timestamp.describe('When it happened in the world (not when it was sent)'),
  source: z.enum(SOURCES).describe('The system that reported it'),
  sku: z.string().regex(CODE, { message: 'must be a SKU code' }),
  location: z.string().regex(CODE, { message: 'must be a location code' }),
  channel: channelName.optional(),
  uom: uomName.optional().describe("Unit of qty; default the SKU's base unit"),
  ref: refSchema.optional(),
  lot: z.string().min(1).max(64).optional(),
  attributes: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Anything else the source sent, kept as is'),
};

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z
    .strictObject({ type: z.literal(type), ...common })
    .extend(shape)
    .describe(description);

export const saleEvent = event(
  'sale',
  { qty: positiveQty },
  'Units sold and taken (store till, or handed over).',
);
export const returnEvent = event(
  'return',
  { qty: positiveQty, disposition: z.enum(['sellable', 'damaged', 'pending']).default('pending') },
  'Units returned by a customer; pending and damaged units are on hand but not sellable.',
);
export const returnDispositionEvent = event(
  'return_disposition',
  {
    qty: positiveQty,
    disposition: z.enum(['sellable', 'damaged', 'disposed']),
    from: z.enum(['pending', 'damaged']).default('pending'),
  },
  'Inspection outcome of returned units: back to sale, damaged, or disposed of (written off / returned to vendor).',
);
export const purchaseOrderEvent = event(
  'purchase_order',
  { qty: positiveQty, supplier: z.string().regex(CODE).optional(), expected_at: timestamp.optional() },
  'A purchase order line to this location: on order.',
);
export const asnEvent = event(
  'asn',
  { qty: positiveQty, supplier: z.string().regex(CODE).optional(), expected_at: timestamp.optional() },
  'Advance ship notice: units shipped by a supplier, now in transit inbound (moves them from on order when ref.po_id is set).',
);
export const receiptEvent = event(
  'receipt',
  { qty: nonNegativeQty },
  'Units received; with ref.asn_id they leave in transit, else with ref.po_id they leave on order.',
);
export const transferShippedEvent = event(
  'transfer_shipped',
  { qty: positiveQty, to_location: z.string().regex(CODE), expected_at: timestamp.optional() },
  'Units leaving this location for another: in transit out here, in transit in there.',
);
export const transferReceivedEvent = event(
  'transfer_received',
  { qty: nonNegativeQty, from_location: z.string().regex(CODE) },
  'Units of a transfer arriving at this location.',
);
export const reservationEvent = event(
  'reservation',
  { qty: positiveQty },
  'Units promised to an order, not yet picked.',
);
export const reservationReleasedEvent = event(
  'reservation_released',
  { qty: positiveQty },
  'A reservation given back (order cancelled or changed).',
);
export const pickEvent = event('pick', { qty: positiveQty }, 'Reserved units picked into outbound staging.');
export const shortPickEvent = event(
  'short_pick',
  { qty: positiveQty },
  'Reserved units the picker could not find: the reservation is released; on-hand is left for a count to correct.',
);
export const shipmentEvent = event(
  'shipment',
  { qty: positiveQty },
  'Picked units leaving the building for a customer.',
);
export const adjustmentEvent = z
  .strictObject({
    type: z.literal('adjustment'),
    ...common,
    qty: z.number().min(-MAX_QTY).max(MAX_QTY),
    reason: z.enum(['shrink', 'damage', 'correction', 'found']),
  })
  .superRefine((e, ctx) => {
    if (e.reason === 'correction' ? e.qty === 0 : e.qty <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['qty'],
        params: { rule: e.reason === 'correction' ? 'non_zero' : 'positive' },
        message:
          e.reason === 'correction'
            ? 'of a correction must not be 0 (positive adds, negative removes)'
            : `of a ${e.reason} adjustment must be greater than 0 (${e.reason === 'found' ? 'it adds' : 'it removes'} units)`,
      });
    }
  })
  .describe(
    'A stock adjustment: shrink and damage remove units, found adds, correction adds or removes by sign.',
  );
export const cycleCountEvent = z
  .strictObject({
    type: z.literal('cycle_count'),
    ...common,
    counted_qty: nonNegativeQty.optional(),
    qty: nonNegativeQty.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.counted_qty === undefined && e.qty === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['counted_qty'],
        params: { rule: 'required' },
        message: 'is required (0 is a valid count)',
      });
    } else if (e.counted_qty !== undefined && e.qty !== undefined && e.counted_qty !== e.qty) {
      ctx.addIssue({
        code: 'custom',
        path: ['qty'],
        params: { rule: 'consistent' },
        message: 'differs from counted_qty',
      });
    }
  })
  .describe('A physical count: on-hand becomes counted_qty at occurred_at; later movements add to it.');
export const stockSnapshotEvent = z
  .strictObject({
    type: z.literal('stock_snapshot'),
    ...common,
    on_hand: z.number().min(-MAX_QTY).max(MAX_QTY).optional(),
    qty: z.number().min(-MAX_QTY).max(MAX_QTY).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.on_hand === undefined && e.qty === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['on_hand'],
        params: { rule: 'required' },
        message: 'is required (0 and negative values are valid reports)',
      });
    } else if (e.on_hand !== undefined && e.qty !== undefined && e.on_hand !== e.qty) {
      ctx.addIssue({
        code: 'custom',
        path: ['qty'],
        params: { rule: 'consistent' },
        message: 'differs from on_hand',
      });
    }
  })
  .describe("A system's own report of on-hand; kept per source, never applied to the ledger.");
export const listingStatusEvent = event(
  'listing_status',
  { channel: channelName, status: z.enum(['active', 'paused']) },
  'A listing turned on or off on a channel: a paused channel may promise nothing here.',
);
export const promotionEvent = z
  .strictObject({
    type: z.literal('promotion'),
    ...common,
    qty: nonNegativeQty.optional(),
    starts_at: timestamp,
    ends_at: timestamp,
    uplift: z.number().min(0).max(100).optional().describe('Expected demand multiplier hint, e.g. 1.5'),
  })
  .refine((e) => Date.parse(e.ends_at) > Date.parse(e.starts_at), {
    message: 'must be after starts_at',
    path: ['ends_at'],
  })
  .describe('A planned promotion for this SKU at this location.');

export const eventSchema = z.discriminatedUnion('type', [
  saleEvent,
  returnEvent,
  returnDispositionEvent,
  purchaseOrderEvent,
  asnEvent,
  receiptEvent,
  transferShippedEvent,
  transferReceivedEvent,
  reservationEvent,
  reservationReleasedEvent,
  pickEvent,
  shortPickEvent,
  shipmentEvent,
  adjustmentEvent,
  cycleCountEvent,
  stockSnapshotEvent,
  listingStatusEvent,
  promotionEvent,
]);

export type InventoryEvent = z.output<typeof eventSchema>;
export type EventType = InventoryEvent['type'];
export const EVENT_TYPES = eventSchema.options.map((o) => o.shape.type.value) as EventType[];

/** Types that move or promise units and so need a unit conversion and, for regulated SKUs, a lot. */
export const STOCK_MOVING: ReadonlySet<EventType> = new Set<EventType>([
  'sale',
  'return',
  'return_disposition',
  'receipt',
  'transfer_shipped',
  'transfer_received',
  'pick',
  'shipment',
  'adjustment',
]);
