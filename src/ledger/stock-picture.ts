import type { Reported, StockState } from './stock-state.ts';

export interface ChannelAvailability {
  /** Units this channel may promise: sellable minus reserved and picked minus the buffer, never below 0. */
  qty: number;
  buffer: number;
  listing: 'active' | 'paused';
  /** Share of the ATP kept when the record is in doubt (set by the exception engine's record confidence). */
  confidence_factor?: number;
}

/** The inventory picture of one SKU x location (docs/events.md, "Stock picture"). */
export interface StockPicture {
  sku: string;
  location: string;
  /** The point in time this picture is for; null for the current picture. */
  as_of: string | null;
  ledger_on_hand: number;
  reserved: number;
  picked: number;
  in_transit_in: number;
  in_transit_out: number;
  on_order: number;
  sellable: number;
  unsellable: number;
  returns_pending: number;
  damaged: number;
  /** On-hand as each source last reported it; `count` is the latest cycle count. */
  by_source: Record<string, Reported>;
  atp: Record<string, ChannelAvailability>;
  event_count: number;
  last_event_at: string | null;
  /** On-hand per lot, for regulated SKUs only (single-key pictures). */
  lots?: Record<string, number>;
  /** Record confidence, when the exception engine has doubts about this record. */
  record_confidence?: { confidence: number; probability_empty: number; updated_at: string } | null;
}

export interface PictureContext {
  sku: string;
  location: string;
  /** Channels the location sells through. */
  channels: string[];
  /** Safety buffer per channel, in base units. */
  buffers: Record<string, number>;
  asOf?: string | null;
}

export function toPicture(state: StockState, ctx: PictureContext): StockPicture {
  const ledgerOnHand = (state.count?.qty ?? 0) + state.on_hand_delta;
  const { reserved, picked, in_transit_in, in_transit_out, on_order, returns_pending, damaged } =
    state.buckets;
  const unsellable = returns_pending + damaged;
  const sellable = ledgerOnHand - unsellable;
  const bySource: Record<string, Reported> = { ...state.snapshots };
  if (state.count) {
    bySource.count = {
      on_hand: state.count.qty,
      reported_at: state.count.at,
      event_id: state.count.event_id,
    };
  }
  const atp: Record<string, ChannelAvailability> = {};
  for (const channel of ctx.channels) {
    const buffer = ctx.buffers[channel] ?? 0;
    const listing = state.listings[channel]?.status ?? 'active';
    atp[channel] = {
      qty: listing === 'paused' ? 0 : Math.max(0, sellable - reserved - picked - buffer),
      buffer,
      listing,
    };
  }
  return {
    sku: ctx.sku,
    location: ctx.location,
    as_of: ctx.asOf ?? null,
    ledger_on_hand: ledgerOnHand,
    reserved,
    picked,
    in_transit_in,
    in_transit_out,
    on_order,
    sellable,
    unsellable,
    returns_pending,
    damaged,
    by_source: bySource,
    atp,
    event_count: state.event_count,
    last_event_at: state.last_event_at,
  };
}
