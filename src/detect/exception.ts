/**
 * The exception model: what every exception carries, whatever detector raised it
 * (docs/exceptions.md). Pure types and small helpers; no I/O.
 */

export const EXCEPTION_TYPES = [
  'phantom_inventory',
  'on_hand_mismatch',
  'negative_on_hand',
  'atp_overcommitted',
  'listing_below_threshold',
  'receiving_variance',
  'asn_late_or_missing',
  'transfer_delayed',
  'transfer_lost',
  'return_without_disposition',
  'duplicate_events',
  'reporting_gap',
  'demand_spike',
  'demand_drop',
  'promotion_stockout_risk',
  'data_glitch',
  'supplier_lead_time_slip',
  'short_pick_pattern',
  'forecast_drift',
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];

/** Why it happened, in the four classes planners act on differently. */
export const ROOT_CAUSES = [
  'data_synchronisation',
  'business_rule_violation',
  'timing_delay',
  'physical_discrepancy',
] as const;
export type RootCauseClass = (typeof ROOT_CAUSES)[number];

export const ACTION_KINDS = [
  'count_task',
  'availability_hold',
  'listing_pause',
  'transfer',
  'replenishment_priority',
  'supplier_claim',
  'retry_sync',
  'suppress_duplicate',
  'carrier_trace',
  'inspect_returns',
  'review_forecast',
  'annotate_demand',
  'refit_forecast',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export type ExceptionStatus = 'open' | 'closed';
export const PRIORITY_BANDS = ['critical', 'high', 'medium', 'low'] as const;
export type PriorityBand = (typeof PRIORITY_BANDS)[number];

/** An event that is part of the evidence, with what a person needs to check it. */
export interface EvidenceEvent {
  event_id: string;
  type: string;
  occurred_at: string;
  qty?: number;
  note?: string;
}

export interface Evidence {
  events: EvidenceEvent[];
  /** The figures the detector computed (rates, balances, probabilities). */
  figures: Record<string, number | string | null>;
  /** The configured thresholds they were compared with. */
  thresholds: Record<string, number | string>;
}

export interface Impact {
  currency: string;
  /** Expected money at stake: lost margin + cancellation + expedite cost. */
  value: number;
  lost_margin: number;
  cancellation_cost: number;
  expedite_cost: number;
  units_at_risk: number;
  /** Days over which lost margin was estimated (the replenishment lead time). */
  horizon_days: number;
}

export interface RecommendedAction {
  kind: ActionKind;
  /** What exactly to do, for the governance layer to gate and a person to read. */
  detail: string;
  sku?: string;
  location?: string;
  qty?: number;
}

/** A detector's finding; the engine turns it into an exception (or updates the open one). */
export interface Finding {
  /** One open exception per key: the underlying problem's identity. */
  key: string;
  type: ExceptionType;
  sku: string | null;
  location: string | null;
  channel: string | null;
  /** Related exceptions share a group (`store:S1`, `supplier:SUP1`, `po:PO-9`). */
  group: string | null;
  root_cause: RootCauseClass;
  reasoning: string;
  confidence: number;
  evidence: Evidence;
  explanation: string;
  actions: RecommendedAction[];
  /** Inputs to the money estimate. */
  impact: ImpactInput;
  /** 0..1: how soon the harm lands (1 = now). */
  urgency: number;
}

export interface ImpactInput {
  units_at_risk: number;
  /** Expected units of demand lost per day while the problem lasts. */
  lost_units_per_day: number;
  horizon_days: number;
  unit_margin: number;
  cancellation_cost?: number;
  expedite_cost?: number;
}

export interface ExceptionRecord {
  id: string;
  key: string;
  type: ExceptionType;
  status: ExceptionStatus;
  sku: string | null;
  location: string | null;
  channel: string | null;
  region: string | null;
  category: string | null;
  group: string | null;
  opened_at: string;
  updated_at: string;
  closed_at: string | null;
  close_reason: string | null;
  root_cause: RootCauseClass;
  reasoning: string;
  confidence: number;
  impact: Impact;
  urgency: number;
  priority: number;
  priority_band: PriorityBand;
  evidence: Evidence;
  explanation: string;
  actions: RecommendedAction[];
  /** How often the evidence was updated since it opened. */
  updates: number;
}

export function impactOf(input: ImpactInput, currency: string): Impact {
  const lostMargin = input.lost_units_per_day * input.horizon_days * input.unit_margin;
  const cancellation = input.cancellation_cost ?? 0;
  const expedite = input.expedite_cost ?? 0;
  return {
    currency,
    value: round2(lostMargin + cancellation + expedite),
    lost_margin: round2(lostMargin),
    cancellation_cost: round2(cancellation),
    expedite_cost: round2(expedite),
    units_at_risk: Math.max(0, Math.round(input.units_at_risk)),
    horizon_days: input.horizon_days,
  };
}

/**
 * Priority is the expected money at stake, weighted by how likely the exception is real
 * and how soon it bites: impact x confidence x urgency (urgency floored so that a sure,
 * costly problem a week out still outranks a trivial one today).
 */
export function priorityOf(impact: Impact, confidence: number, urgency: number): number {
  return round2(impact.value * confidence * (0.25 + 0.75 * clamp01(urgency)));
}

export function bandOf(priority: number): PriorityBand {
  if (priority >= 500) return 'critical';
  if (priority >= 100) return 'high';
  if (priority >= 20) return 'medium';
  return 'low';
}

export const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
export const round2 = (x: number) => Math.round(x * 100) / 100;
