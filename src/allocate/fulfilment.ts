import { stockDistribution, type TrueStockModel, trueStockDistribution } from './record-error.ts';

/**
 * Which node (a store or a distribution centre) should fulfil an order, by expected cost:
 *
 *   expected cost = pickCost + shippingCost + (1 - pStock) * failureCost
 *                   + pStock * lateDays * lateCostPerDay
 *
 * pStock = P(T >= qty), T the node's true stock under the record-error model
 * (record-error.ts) with the node's `available` as the record. A failed pick costs
 * `failureCost` (re-routing, a cancellation, the customer's goodwill), which covers any delay
 * it causes; lateness is charged only on shipments that go out. Pick and shipping are
 * charged in full either way, as a pessimistic simplification.
 *
 * Transit is taken as certain: the order ships on the day of `now` (the next day when the
 * node's cut-off has passed) and arrives `transitDays` later. Days are UTC calendar days
 * (a bare date such as "2026-03-01" is that day); the order is late by the days its arrival
 * falls after the day of `promisedBy`. So pOnTime = pStock when the arrival is on or before
 * that day, and 0 when it is after.
 *
 * Nodes with fewer units available than ordered are excluded. Ranking is by expected cost,
 * then the higher pOnTime, then a node in the destination region, then the node id.
 */

export interface FulfilmentOrder {
  id: string;
  sku: string;
  qty: number;
  /** ISO date or date-time the customer was promised. */
  promisedBy: string;
  destinationRegion: string;
}

export interface FulfilmentNode {
  id: string;
  kind: 'store' | 'dc';
  region: string;
  /** Units the record shows available for this SKU. */
  available: number;
  /** P(the record is right). */
  recordConfidence: number;
  /** Per order. */
  shippingCost: number;
  /** Per order. */
  pickCost: number;
  /** Whole days from shipping to delivery. */
  transitDays: number;
  /** Today's cut-off has passed: the order ships tomorrow. */
  cutoffPassed?: boolean;
}

export interface FulfilmentRequest {
  order: FulfilmentOrder;
  nodes: FulfilmentNode[];
  /** ISO date or date-time. */
  now: string;
  lateCostPerDay: number;
  /** Cost of a pick that finds too few units. */
  failureCost: number;
  /** Spread of the true stock when a record is wrong (default 1, uniform). Default model only. */
  shrinkDispersion?: number;
  /** Replaces the default record-error model. */
  trueStock?: TrueStockModel;
}

export interface FulfilmentOption {
  node: string;
  kind: FulfilmentNode['kind'];
  expectedCost: number;
  /** P(the stock is there and the order arrives by the promised day). */
  pOnTime: number;
  /** P(the node really has the quantity ordered). */
  pStockThere: number;
  /** Days after the promised day the order would arrive (0 when on time). */
  lateDays: number;
  /** Arrival day, YYYY-MM-DD (UTC). */
  arrives: string;
  why: string;
}

export interface FulfilmentDecision {
  orderId: string;
  /** The cheapest node in expectation, or null when no node has the quantity. */
  chosen: FulfilmentOption | null;
  ranked: FulfilmentOption[];
  excluded: { node: string; reason: string }[];
  why: string;
}

const DAY_MS = 86_400_000;
const COST_TIE = 1e-9;
const money = (x: number) => x.toFixed(2);

/** Ranks the nodes able to fulfil an order by expected cost; see the module comment for the model. */
export function chooseFulfilmentNode(request: FulfilmentRequest): FulfilmentDecision {
  const { order } = request;
  validate(request);
  const model: TrueStockModel =
    request.trueStock ?? ((r, c) => trueStockDistribution(r, c, request.shrinkDispersion ?? 1));
  const today = dayNumber(request.now, 'now');
  const promisedDay = dayNumber(order.promisedBy, `order ${order.id} promisedBy`);

  const ranked: FulfilmentOption[] = [];
  const excluded: FulfilmentDecision['excluded'] = [];
  for (const node of request.nodes) {
    if (node.available < order.qty) {
      excluded.push({
        node: node.id,
        reason: `${node.id} shows ${node.available} available, fewer than the ${order.qty} ordered.`,
      });
      continue;
    }
    const distribution = stockDistribution(model, node.available, node.recordConfidence);
    let pStock = 0;
    for (let j = order.qty; j < distribution.length; j++) pStock += distribution[j]!;
    pStock = Math.min(1, pStock);
    const shipDay = today + (node.cutoffPassed ? 1 : 0);
    const arrivalDay = shipDay + node.transitDays;
    const lateDays = Math.max(0, arrivalDay - promisedDay);
    const failure = (1 - pStock) * request.failureCost;
    const late = pStock * lateDays * request.lateCostPerDay;
    const expectedCost = node.pickCost + node.shippingCost + failure + late;
    const arrives = isoDay(arrivalDay);
    const timing =
      lateDays > 0
        ? `arrives ${arrives}, ${lateDays} day${lateDays === 1 ? '' : 's'} after the promised ${isoDay(promisedDay)}`
        : `arrives ${arrives}, by the promised ${isoDay(promisedDay)}`;
    ranked.push({
      node: node.id,
      kind: node.kind,
      expectedCost,
      pOnTime: lateDays > 0 ? 0 : pStock,
      pStockThere: pStock,
      lateDays,
      arrives,
      why:
        `${node.id} (${node.kind}, ${node.region}): P(${order.qty} really there) = ${pStock.toFixed(4)} ` +
        `(record ${node.available} at confidence ${node.recordConfidence}); ships ${isoDay(shipDay)}` +
        `${node.cutoffPassed ? ' (cut-off passed)' : ''} and ${timing}. Expected cost ${money(node.pickCost)} pick + ` +
        `${money(node.shippingCost)} shipping + ${(1 - pStock).toFixed(4)} x ${money(request.failureCost)} failure + ` +
        `${pStock.toFixed(4)} x ${lateDays} d x ${money(request.lateCostPerDay)} late = ${money(expectedCost)}.`,
    });
  }

  const region = order.destinationRegion;
  const byId = new Map(request.nodes.map((n) => [n.id, n]));
  ranked.sort((a, b) => {
    if (Math.abs(a.expectedCost - b.expectedCost) > COST_TIE) return a.expectedCost - b.expectedCost;
    if (a.pOnTime !== b.pOnTime) return b.pOnTime - a.pOnTime;
    const localA = byId.get(a.node)!.region === region ? 0 : 1;
    const localB = byId.get(b.node)!.region === region ? 0 : 1;
    if (localA !== localB) return localA - localB;
    return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
  });

  const chosen = ranked[0] ?? null;
  const runnerUp = ranked[1];
  const why = !chosen
    ? `Order ${order.id}: no node shows ${order.qty} units of ${order.sku} available.`
    : `Order ${order.id} (${order.qty} x ${order.sku} to ${region}): ${chosen.node} at expected cost ` +
      `${money(chosen.expectedCost)}` +
      (runnerUp
        ? `, ${money(runnerUp.expectedCost - chosen.expectedCost)} below the next best, ${runnerUp.node} ` +
          `(${money(runnerUp.expectedCost)}).`
        : ', the only node with the quantity.');
  return { orderId: order.id, chosen, ranked, excluded, why };
}

// A bare date, or a date-time with its zone: a date-time without one would be read in the
// machine's local zone, and the same request would give different days on different servers.
const ISO_DAY = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

function dayNumber(iso: string, what: string): number {
  const ms = ISO_DAY.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms))
    throw new RangeError(`${what} ${JSON.stringify(iso)} is not an ISO date or a date-time with a zone`);
  return Math.floor(ms / DAY_MS);
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function validate(request: FulfilmentRequest): void {
  const { order } = request;
  const fail = (message: string) => {
    throw new RangeError(`fulfilment of order ${order.id}: ${message}`);
  };
  if (!Number.isInteger(order.qty) || order.qty < 1) fail(`quantity ${order.qty} is not a whole number >= 1`);
  if (!(request.lateCostPerDay >= 0) || !Number.isFinite(request.lateCostPerDay))
    fail(`late cost per day ${request.lateCostPerDay} is not a finite number >= 0`);
  if (!(request.failureCost >= 0) || !Number.isFinite(request.failureCost))
    fail(`failure cost ${request.failureCost} is not a finite number >= 0`);
  if (request.shrinkDispersion !== undefined && request.trueStock !== undefined)
    fail('shrink dispersion applies to the default error model only; do not pass it with a custom model');
  const ids = new Set<string>();
  for (const n of request.nodes) {
    if (ids.has(n.id)) fail(`node ${n.id} appears twice`);
    ids.add(n.id);
    if (!Number.isInteger(n.available) || n.available < 0)
      fail(`node ${n.id}: available ${n.available} is not a whole number >= 0`);
    if (!(n.recordConfidence >= 0 && n.recordConfidence <= 1))
      fail(`node ${n.id}: record confidence ${n.recordConfidence} is not in [0, 1]`);
    for (const [name, v] of Object.entries({ shippingCost: n.shippingCost, pickCost: n.pickCost }))
      if (!Number.isFinite(v) || v < 0) fail(`node ${n.id}: ${name} ${v} is not a finite number >= 0`);
    if (!Number.isInteger(n.transitDays) || n.transitDays < 0)
      fail(`node ${n.id}: transit ${n.transitDays} days is not a whole number >= 0`);
  }
}
