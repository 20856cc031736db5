import type { z } from 'zod';
import { gtinCheckDigit, type locationSchema, type skuSchema } from '../catalog/index.ts';
import { assertUnreachable, InvexError } from '../core/errors.ts';
import type { eventSchema } from '../ingest/index.ts';
import { between, createRandom, gaussian, poisson, type Random } from '../twin/random.ts';

/** A SKU record as `importMaster` accepts it. */
export type SkuInput = z.input<typeof skuSchema>;
/** A location record as `importMaster` accepts it. */
export type LocationInput = z.input<typeof locationSchema>;
/** A canonical event in its JSON form, as `ingestRecords` accepts it. */
export type GeneratedEvent = z.input<typeof eventSchema>;

export interface NetworkOptions {
  stores: number;
  dcs: number;
  skus: number;
  /** Any integer; only its low 32 bits matter. */
  seed: number;
}

export interface MasterData {
  skus: SkuInput[];
  locations: LocationInput[];
}

export interface EventStreamOptions extends NetworkOptions {
  /** Days simulated (with `eventsTarget`, the days the target is spread over). */
  days: number;
  /** First day, `YYYY-MM-DD`, starting at UTC midnight. Default 2026-03-02 (a Monday). */
  start?: string;
  /** Share of the stream that is a re-sent copy of an earlier event (same event_id and body). */
  duplicateRate?: number;
  /** Share of events delivered late, behind events that happened after them. */
  disorder?: number;
  /**
   * Size daily volumes so that `days` hold about this many events, and stop after exactly
   * this many (running past `days` if the stream falls short).
   */
  eventsTarget?: number;
  /**
   * Emit an opening cycle_count the first time a SKU appears at a location, so the ledger
   * starts from a stocked position instead of zero. Default true; volume benchmarks turn it
   * off, as on a wide network the opening counts would swamp the mix.
   */
  openingCounts?: boolean;
}

const SUPPLIER = 'SUP01';
const DEFAULT_START = '2026-03-02';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------
// Master data

interface City {
  name: string;
  lat: number;
  lon: number;
}

interface Region {
  region: string;
  timezone: string;
  /** Share of the stores. */
  weight: number;
  cities: City[];
}

const city = (name: string, lat: number, lon: number): City => ({ name, lat, lon });

const REGIONS: Region[] = [
  {
    region: 'northeast',
    timezone: 'America/New_York',
    weight: 0.2,
    cities: [
      city('Boston', 42.36, -71.06),
      city('New York', 40.71, -74.01),
      city('Philadelphia', 39.95, -75.17),
    ],
  },
  {
    region: 'southeast',
    timezone: 'America/New_York',
    weight: 0.17,
    cities: [city('Atlanta', 33.75, -84.39), city('Charlotte', 35.23, -80.84), city('Miami', 25.76, -80.19)],
  },
  {
    region: 'midwest',
    timezone: 'America/Chicago',
    weight: 0.15,
    cities: [
      city('Chicago', 41.88, -87.63),
      city('Minneapolis', 44.98, -93.27),
      city('St. Louis', 38.63, -90.2),
    ],
  },
  {
    region: 'south_central',
    timezone: 'America/Chicago',
    weight: 0.14,
    cities: [city('Dallas', 32.78, -96.8), city('Houston', 29.76, -95.37), city('Austin', 30.27, -97.74)],
  },
  {
    region: 'mountain',
    timezone: 'America/Denver',
    weight: 0.07,
    cities: [city('Denver', 39.74, -104.99), city('Salt Lake City', 40.76, -111.89)],
  },
  {
    region: 'southwest',
    timezone: 'America/Phoenix',
    weight: 0.06,
    cities: [city('Phoenix', 33.45, -112.07), city('Tucson', 32.22, -110.97)],
  },
  {
    region: 'west',
    timezone: 'America/Los_Angeles',
    weight: 0.13,
    cities: [
      city('Los Angeles', 34.05, -118.24),
      city('San Diego', 32.72, -117.16),
      city('San Francisco', 37.77, -122.42),
    ],
  },
  {
    region: 'northwest',
    timezone: 'America/Los_Angeles',
    weight: 0.06,
    cities: [city('Seattle', 47.61, -122.33), city('Portland', 45.52, -122.68)],
  },
  {
    region: 'hawaii',
    timezone: 'Pacific/Honolulu',
    weight: 0.02,
    cities: [city('Honolulu', 21.31, -157.86)],
  },
];

interface Category {
  category: string;
  weight: number;
  items: string[];
  variants: string[];
  /** Unit cost range; costs are drawn log-uniformly in it. */
  cost: [number, number];
  caseSizes: number[];
  /** Share of the category's SKUs that are also handled in cases. */
  caseShare: number;
  /** Share of the category's SKUs that need a lot on every movement. */
  regulatedShare: number;
}

const CATEGORIES: Category[] = [
  {
    category: 'grocery',
    weight: 0.24,
    items: [
      'Pasta',
      'Basmati rice',
      'Olive oil',
      'Coffee beans',
      'Breakfast cereal',
      'Tomato sauce',
      'Peanut butter',
      'Honey',
    ],
    variants: ['250 g', '500 g', '1 kg', 'organic', 'family pack'],
    cost: [0.6, 6],
    caseSizes: [12, 24],
    caseShare: 0.8,
    regulatedShare: 0,
  },
  {
    category: 'beverages',
    weight: 0.12,
    items: ['Sparkling water', 'Orange juice', 'Cola', 'Iced tea', 'Energy drink', 'Cold brew coffee'],
    variants: ['330 ml', '500 ml', '1 l', '1.5 l', '6-pack'],
    cost: [0.3, 4],
    caseSizes: [6, 12, 24],
    caseShare: 0.9,
    regulatedShare: 0,
  },
  {
    category: 'household',
    weight: 0.11,
    items: ['Dish soap', 'Paper towels', 'Laundry detergent', 'Trash bags', 'Sponges', 'Glass cleaner'],
    variants: ['single', 'twin pack', 'refill', 'large'],
    cost: [0.8, 9],
    caseSizes: [6, 12],
    caseShare: 0.7,
    regulatedShare: 0,
  },
  {
    category: 'personal_care',
    weight: 0.11,
    items: ['Shampoo', 'Toothpaste', 'Deodorant', 'Body wash', 'Razor blades', 'Sunscreen SPF 50'],
    variants: ['travel size', '250 ml', '400 ml', 'sensitive'],
    cost: [1, 12],
    caseSizes: [6, 12],
    caseShare: 0.6,
    regulatedShare: 0,
  },
  {
    category: 'pharmacy',
    weight: 0.06,
    items: ['Pain relief tablets', 'Allergy relief', 'Cough syrup', 'Vitamin D', 'Antacid', 'Nicotine gum'],
    variants: ['12 count', '24 count', '100 ml', 'extra strength'],
    cost: [1.5, 15],
    caseSizes: [12, 24],
    caseShare: 0.5,
    regulatedShare: 0.6,
  },
  {
    category: 'apparel',
    weight: 0.13,
    items: ['T-shirt', 'Slim jeans', 'Hoodie', 'Socks 3-pack', 'Rain jacket', 'Running shorts'],
    variants: ['S', 'M', 'L', 'XL'],
    cost: [3, 45],
    caseSizes: [],
    caseShare: 0,
    regulatedShare: 0,
  },
  {
    category: 'electronics',
    weight: 0.06,
    items: [
      'USB-C cable',
      'Wireless earbuds',
      'Phone charger',
      'Bluetooth speaker',
      'Power bank',
      'Smart plug',
    ],
    variants: ['black', 'white', '1 m', '2 m'],
    cost: [4, 90],
    caseSizes: [],
    caseShare: 0,
    regulatedShare: 0,
  },
  {
    category: 'home',
    weight: 0.1,
    items: ['Bath towel', 'Scented candle', 'Storage box', 'Frying pan', 'Mug set', 'Throw pillow'],
    variants: ['grey', 'navy', 'natural', 'large'],
    cost: [3, 35],
    caseSizes: [4, 6],
    caseShare: 0.3,
    regulatedShare: 0,
  },
  {
    category: 'toys',
    weight: 0.07,
    items: ['Building blocks', '1000-piece puzzle', 'Plush bear', 'Card game', 'Toy car set'],
    variants: ['classic', 'deluxe', 'mini'],
    cost: [3, 30],
    caseSizes: [4, 6],
    caseShare: 0.3,
    regulatedShare: 0,
  },
];

const BRANDS = [
  'Northfield',
  'Bluebay',
  'Everyday',
  'Harbor & Co',
  'Sunpeak',
  'Greenleaf',
  'Maple Lane',
  'Urban Basics',
  'Coastline',
  'Redstone',
];

/** Unit price from which a sale is of one unit: nobody buys three pairs of earbuds. */
const EXPENSIVE_PRICE = 40;

/**
 * Demand by popularity rank follows Zipf–Mandelbrot, weight 1 / (rank + 5): about 80% of
 * units come from 20% of SKUs on a wide range (the long tail of retail), while the offset
 * keeps the best seller at a few percent rather than the 10%+ of a pure Zipf law.
 */
const POPULARITY_OFFSET = 5;

/** The generated network with the arrays the event simulation reads on its hot path. */
interface Network {
  master: MasterData;
  storeCount: number;
  dcCount: number;
  skuCodes: string[];
  /** Units per case, 0 when the SKU has no case unit. */
  caseSize: Int32Array;
  regulated: Uint8Array;
  expensive: Uint8Array;
  /** Share of all demand by SKU (sums to 1). */
  demandShare: Float64Array;
  /** Cumulative demand share by popularity rank, and the SKU at each rank. */
  rankCumulative: Float64Array;
  rankSku: Int32Array;
  /** Stores first, then DCs. */
  locationCodes: string[];
  timezones: string[];
  /** Relative size of each store (mean 1). */
  storeSize: Float64Array;
  /** Location index of the DC that supplies each store. */
  storeDc: Int32Array;
}

function requireCount(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvexError(
      'invalid_input',
      'config_invalid',
      `${name} must be a whole number of at least ${min}, got ${value}`,
    );
  }
}

function requireRate(value: number, name: string): void {
  if (!(value >= 0 && value < 1)) {
    throw new InvexError(
      'invalid_input',
      'config_invalid',
      `${name} must be at least 0 and below 1, got ${value}`,
    );
  }
}

/** Largest-remainder allocation of `total` stores by region weight: the same for every seed. */
function storesPerRegion(total: number): number[] {
  const exact = REGIONS.map((r) => r.weight * total);
  const counts = exact.map(Math.floor);
  const order = exact
    .map((value, i) => ({ i, rest: value - Math.floor(value) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let left = total - counts.reduce((a, b) => a + b, 0), n = 0; left > 0; left--, n++) {
    const index = order[n % order.length]!.i;
    counts[index] = counts[index]! + 1;
  }
  return counts;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

function buildNetwork(options: NetworkOptions): Network {
  requireCount(options.stores, 'stores', 1);
  requireCount(options.dcs, 'dcs', 1);
  requireCount(options.skus, 'skus', 1);
  if (!Number.isInteger(options.seed)) {
    throw new InvexError('invalid_input', 'config_invalid', `seed must be an integer, got ${options.seed}`);
  }
  const random = createRandom(options.seed);
  const skuCount = options.skus;

  const skus: SkuInput[] = [];
  const caseSize = new Int32Array(skuCount);
  const regulated = new Uint8Array(skuCount);
  const expensive = new Uint8Array(skuCount);
  const categoryCumulative: number[] = [];
  let categoryTotal = 0;
  for (const c of CATEGORIES) {
    categoryTotal += c.weight;
    categoryCumulative.push(categoryTotal);
  }
  for (let i = 0; i < skuCount; i++) {
    // The first SKUs take each category in turn, so that even a small range has pharmacy
    // (and with it a regulated SKU), case-packed lines and expensive ones.
    let category = CATEGORIES[i]!;
    if (i >= CATEGORIES.length) {
      const pick = random() * categoryTotal;
      category = CATEGORIES[categoryCumulative.findIndex((upTo) => pick < upTo)] ?? CATEGORIES.at(-1)!;
    }
    const [low, high] = category.cost;
    const unitCost = round2(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
    const unitPrice = Math.max(unitCost + 0.5, Math.ceil(unitCost * (1.4 + random() * 1.2))) - 0.01;
    const code = `SKU${pad(i + 1, 5)}`;
    const sku: SkuInput = {
      sku: code,
      name: `${BRANDS[Math.floor(random() * BRANDS.length)]} ${category.items[Math.floor(random() * category.items.length)]} ${category.variants[Math.floor(random() * category.variants.length)]}`,
      category: category.category,
      unit_cost: unitCost,
      unit_price: round2(unitPrice),
    };
    if (random() < 0.85) {
      const body = `20${pad(i + 1, 10)}`;
      sku.gtin = `${body}${gtinCheckDigit(body)}`;
    }
    if (category.caseSizes.length > 0 && (i < CATEGORIES.length || random() < category.caseShare)) {
      caseSize[i] = category.caseSizes[Math.floor(random() * category.caseSizes.length)]!;
      sku.uoms = { case: caseSize[i]! };
    }
    if (category.regulatedShare > 0 && (i < CATEGORIES.length || random() < category.regulatedShare)) {
      regulated[i] = 1;
      sku.regulated = true;
    }
    expensive[i] = unitPrice >= EXPENSIVE_PRICE ? 1 : 0;
    skus.push(sku);
  }

  // Popularity is a shuffled rank, so it is unrelated to SKU numbering or category order.
  const rankSku = Int32Array.from({ length: skuCount }, (_, i) => i);
  for (let i = skuCount - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rankSku[i], rankSku[j]] = [rankSku[j]!, rankSku[i]!];
  }
  const rankCumulative = new Float64Array(skuCount);
  const demandShare = new Float64Array(skuCount);
  let total = 0;
  for (let rank = 0; rank < skuCount; rank++) total += 1 / (rank + 1 + POPULARITY_OFFSET);
  let running = 0;
  for (let rank = 0; rank < skuCount; rank++) {
    const share = 1 / (rank + 1 + POPULARITY_OFFSET) / total;
    running += share;
    rankCumulative[rank] = running;
    demandShare[rankSku[rank]!] = share;
  }
  rankCumulative[skuCount - 1] = 1;

  const locations: LocationInput[] = [];
  const locationCodes: string[] = [];
  const timezones: string[] = [];
  const storeSize = new Float64Array(options.stores);
  let sizeTotal = 0;
  const regionStores = storesPerRegion(options.stores);
  regionStores.forEach((count, regionIndex) => {
    const region = REGIONS[regionIndex]!;
    for (let n = 0; n < count; n++) {
      const index = locationCodes.length;
      const home = region.cities[Math.floor(random() * region.cities.length)]!;
      const code = `S${pad(index + 1, 4)}`;
      locations.push({
        location: code,
        name: `${home.name} #${index + 1}`,
        kind: 'store',
        region: region.region,
        lat: round2(home.lat + (random() - 0.5) * 0.6),
        lon: round2(home.lon + (random() - 0.5) * 0.6),
        timezone: region.timezone,
        channels: ['store'],
      });
      locationCodes.push(code);
      timezones.push(region.timezone);
      // Store sizes are log-normal: a few flagships sell several times a small store.
      storeSize[index] = Math.exp(0.45 * gaussian(random));
      sizeTotal += storeSize[index]!;
    }
  });
  for (let i = 0; i < options.stores; i++) storeSize[i] = (storeSize[i]! * options.stores) / sizeTotal;

  // DCs go to the regions with the most stores; each store is supplied by the nearest DC.
  const byStores = regionStores
    .map((count, i) => ({ count, i }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.i - b.i);
  const dcPlaces: City[] = [];
  for (let d = 0; d < options.dcs; d++) {
    const regionIndex = byStores[d % byStores.length]!.i;
    const region = REGIONS[regionIndex]!;
    const place = region.cities[Math.floor(d / byStores.length) % region.cities.length]!;
    const code = `DC${pad(d + 1, 2)}`;
    locations.push({
      location: code,
      name: `${place.name} distribution center ${d + 1}`,
      kind: 'dc',
      region: region.region,
      lat: place.lat,
      lon: place.lon,
      timezone: region.timezone,
      channels: ['ecommerce', 'marketplace'],
    });
    locationCodes.push(code);
    timezones.push(region.timezone);
    dcPlaces.push(place);
  }
  const storeDc = new Int32Array(options.stores);
  for (let i = 0; i < options.stores; i++) {
    const store = locations[i]!;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    dcPlaces.forEach((place, d) => {
      const distance = (place.lat - store.lat!) ** 2 + (place.lon - store.lon!) ** 2;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = d;
      }
    });
    storeDc[i] = options.stores + best;
  }
  locations.push({
    location: SUPPLIER,
    name: 'Northfield Wholesale',
    kind: 'supplier',
    region: 'midwest',
    lat: 41.88,
    lon: -87.63,
    timezone: 'America/Chicago',
    channels: [],
  });

  return {
    master: { skus, locations },
    storeCount: options.stores,
    dcCount: options.dcs,
    skuCodes: skus.map((s) => s.sku),
    caseSize,
    regulated,
    expensive,
    demandShare,
    rankCumulative,
    rankSku,
    locationCodes,
    timezones,
    storeSize,
    storeDc,
  };
}

/**
 * The master data of a generated network: `skus` SKUs across grocery, beverages, household,
 * personal care, pharmacy (some regulated), apparel, electronics, home and toys, many with a
 * `case` unit; `stores` stores spread over US regions in their real time zones; `dcs`
 * distribution centres; one supplier. Valid input for `importMaster`; the same options give
 * the same records.
 */
export function generateMaster(options: NetworkOptions): MasterData {
  return buildNetwork(options).master;
}

// ---------------------------------------------------------------------------------------
// Event stream

/** Hourly profiles over the local day (index = local hour), each summing to 1. */
function profile(weights: Record<number, number>): Float64Array {
  const hours = new Float64Array(24);
  let total = 0;
  for (const [hour, weight] of Object.entries(weights)) {
    hours[Number(hour)] = weight;
    total += weight;
  }
  for (let h = 0; h < 24; h++) hours[h] = hours[h]! / total;
  return hours;
}

const hoursOf = (from: number, to: number, weight = 1) =>
  Object.fromEntries(Array.from({ length: to - from }, (_, i) => [from + i, weight]));

/** Stores trade 08:00–22:00 with a lunch and an after-work peak. */
const TRADING_HOURS = profile({
  8: 0.5,
  9: 0.7,
  10: 0.9,
  11: 1.1,
  12: 1.3,
  13: 1.2,
  14: 1,
  15: 1,
  16: 1.1,
  17: 1.3,
  18: 1.4,
  19: 1.2,
  20: 0.9,
  21: 0.6,
});
/** Online orders come round the clock, most in the evening. */
const ONLINE_HOURS = profile({
  ...hoursOf(0, 7, 0.2),
  ...hoursOf(7, 12, 0.8),
  ...hoursOf(12, 18, 1),
  ...hoursOf(18, 23, 1.5),
  23: 0.6,
});
const BEFORE_OPENING = profile({ 7: 1 });
const NIGHTLY_BATCH = profile({ 2: 1 });
const OFFICE_HOURS = profile(hoursOf(9, 17));
const MORNING = profile({ 10: 1 });
/** Demand by local day of week, Sunday first; averages 1. */
const DAY_OF_WEEK = [1.15, 0.85, 0.85, 0.9, 0.95, 1.1, 1.2];

/** Spontaneous events per store sales line. */
const MIX = {
  returns: 0.03,
  adjustments: 0.02,
  counts: 0.02,
  snapshots: 0.04,
  promotions: 0.001,
  listings: 0.002,
  /** Online order lines reserved at DCs. */
  reservations: 0.1,
};
/** Share of adjustments, counts and snapshots at DCs rather than stores. */
const DC_SHARE = 0.15;
const PICKED = 0.92;
const RELEASED = 0.05;
const WITH_ASN = 0.95;
/**
 * Transfer and purchase order events per store sales line. Replenishment follows stock, so
 * this is measured, not set: 0.42 to 0.54 on networks from 10 stores x 300 SKUs to 200 x
 * 5,000. It only sizes daily volume for `eventsTarget`, which stops at the exact count
 * whatever it is.
 */
const REPLENISHMENT_PER_SALES_LINE = 0.47;
/** Events per store sales line, follow-ups included, duplicates and opening counts excluded. */
const EVENTS_PER_SALES_LINE =
  1 +
  2 * MIX.returns +
  MIX.adjustments +
  MIX.counts +
  MIX.snapshots +
  MIX.promotions +
  MIX.listings +
  MIX.reservations * (2 + PICKED) +
  REPLENISHMENT_PER_SALES_LINE;

/** Mean units of a sale line (the quantity table in `sale`); expensive SKUs sell one at a time. */
const UNITS_PER_SALE = 0.62 + 0.23 * 2 + 0.1 * 3 + 0.05 * 6;

/**
 * Replenishment is (s, S): when a location's stock position (on hand plus inbound, less
 * committed outbound) falls to s, it orders up to S. s covers the lead time with some
 * safety: for a store a dispatch wait and one to three days in transit, for a DC a
 * supplier lead time of three to ten days. The minimums keep a shelf facing and stop slow
 * movers from getting a delivery for every unit sold.
 */
const POLICY = {
  store: { reorderDays: 5, orderUpToDays: 14, minReorder: 2, minTopUp: 6 },
  dc: { reorderDays: 12, orderUpToDays: 26, minReorder: 1, minTopUp: 12 },
};

/** Events scheduled hours or days ahead, kept compact until they happen (see Scheduled). */
type FollowUpType =
  | 'return_disposition'
  | 'pick'
  | 'shipment'
  | 'reservation_released'
  | 'short_pick'
  | 'transfer_shipped'
  | 'transfer_received'
  | 'purchase_order'
  | 'asn'
  | 'receipt';

const DISPOSITIONS = ['sellable', 'damaged', 'disposed'] as const;
const ORDER_CHANNELS = ['ecommerce', 'marketplace'] as const;

interface FollowUp {
  type: FollowUpType;
  /** Event number, taken when scheduled so numbering does not depend on settling order. */
  id: number;
  qty: number;
  inCases: boolean;
  /**
   * The other location of a transfer, the channel of an order line (index in
   * ORDER_CHANNELS) or the outcome of a return inspection (index in DISPOSITIONS).
   */
  detail: number;
  /** Number of the return, order, transfer or purchase order it belongs to. */
  ref: number;
  /** Number of the ASN a receipt is booked against; -1 for none. */
  asnRef: number;
  expectedAt: number;
  lot: string | undefined;
}

/** What a caller says about a follow-up; the rest is defaulted or derived. */
type FollowUpLine = Pick<FollowUp, 'type' | 'qty' | 'ref'> &
  Partial<Pick<FollowUp, 'inCases' | 'detail' | 'asnRef' | 'expectedAt'>> & {
    /** Base units that stop being inbound or committed outbound when it happens. */
    clears?: number;
  };

interface Scheduled {
  at: number;
  seq: number;
  /**
   * Events of the current hour are built at once; follow-ups are built when they happen.
   * A built event with its strings is several times the size of its FollowUp, and the
   * garbage collector copies whatever waits for days: building late made the generator
   * 20-30% faster here (~450k instead of ~350k events/s).
   */
  event: GeneratedEvent | undefined;
  followUp: FollowUp | undefined;
  /** Stock cell (location x SKU) the event changes or reads. */
  cell: number;
  /** On-hand change in base units, as the ledger applies it. */
  delta: number;
  /** Base units that stop being inbound (receipts) or committed outbound (shipped transfers). */
  clears: number;
}

/** A binary min-heap by (at, seq): ties keep creation order, so the stream is reproducible. */
class TimeQueue {
  private readonly items: Scheduled[] = [];

  get size(): number {
    return this.items.length;
  }

  firstAt(): number {
    return this.items[0]!.at;
  }

  push(entry: Scheduled): void {
    const items = this.items;
    let i = items.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): Scheduled {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
        if (!before(items[child]!, last)) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

const before = (a: Scheduled, b: Scheduled) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const dayPrefixes = new Map<number, string>();
const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const threeDigits = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `Date#toISOString` of a time in ms, built from a cached `YYYY-MM-DDT` per day: the Date
 * round trip cost ~0.5 µs, a fifth of the time per generated event.
 */
function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${prefix}${twoDigits[hours]}:${twoDigits[minutes]}:${twoDigits[seconds]}.${threeDigits[rest - seconds * 1000]}Z`;
}

/** UTC offset of a zone at an instant, in ms, from its wall-clock reading. */
function zoneOffset(format: Intl.DateTimeFormat, at: number): number {
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!);
  return wall - (at - (at % 60_000));
}

interface StreamSettings {
  startMs: number;
  days: number;
  linesPerStoreDay: number;
  duplicateOdds: number;
  disorder: number;
  openingCounts: boolean;
  idPrefix: string;
}

/** How far back a re-sent event can come from, in delivered events. */
const RECENT_EVENTS = 4096;

/**
 * The simulation behind `generateEvents`. Each hour it spawns that hour's spontaneous
 * events (sales, returns, online orders, counts...) with their follow-ups, then settles
 * in occurred order everything that happens in the hour: stock moves, counts and reports
 * read it, replenishment reacts to it, and the event is delivered (or held back).
 */
class Simulation {
  /** Events ready to hand out, in arrival order. */
  readonly out: GeneratedEvent[] = [];
  private readonly occurring = new TimeQueue();
  private readonly late = new TimeQueue();
  /** By cell, in base units: on hand as the ledger will compute it, inbound, committed outbound. */
  private readonly onHand: Int32Array;
  private readonly inbound: Int32Array;
  private readonly outbound: Int32Array;
  private readonly seen: Uint8Array;
  private readonly pausedListings = new Set<number>();
  /** Sales lines a day each location serves: its own for a store; its stores' and web orders' for a DC. */
  private readonly servedLines: Float64Array;
  /** Units a day per served sales line, by SKU: its share of demand times its units per line. */
  private readonly unitsPerServedLine: Float64Array;
  private readonly offsets: Float64Array;
  private readonly zoneFormats = new Map<string, Intl.DateTimeFormat>();
  /** Recently delivered events, the pool duplicates are drawn from (a sender's retry window). */
  private readonly recent: GeneratedEvent[] = [];
  private recentNext = 0;
  private seq = 0;
  private eventNumber = 0;
  private refNumber = 0;
  private lotIn = '';
  private lotOut = '';

  constructor(
    private readonly net: Network,
    private readonly settings: StreamSettings,
    private readonly random: Random,
  ) {
    const cells = net.locationCodes.length * net.skuCodes.length;
    this.onHand = new Int32Array(cells);
    this.inbound = new Int32Array(cells);
    this.outbound = new Int32Array(cells);
    this.seen = new Uint8Array(settings.openingCounts ? cells : 0);
    this.offsets = new Float64Array(net.locationCodes.length);
    const lines = settings.linesPerStoreDay;
    this.servedLines = new Float64Array(net.locationCodes.length);
    for (let dc = net.storeCount; dc < net.locationCodes.length; dc++) {
      this.servedLines[dc] = (lines * net.storeCount * MIX.reservations) / net.dcCount;
    }
    for (let store = 0; store < net.storeCount; store++) {
      const dc = net.storeDc[store]!;
      this.servedLines[store] = net.storeSize[store]! * lines;
      this.servedLines[dc] = this.servedLines[dc]! + this.servedLines[store]!;
    }
    this.unitsPerServedLine = net.demandShare.map(
      (share, sku) => share * (net.expensive[sku] === 1 ? 1 : UNITS_PER_SALE),
    );
  }

  /** Sets the day's zone offsets (daylight saving time moves trading hours) and lot codes. */
  startDay(dayStart: number): void {
    const offsetByZone = new Map<string, number>();
    this.net.timezones.forEach((zone, i) => {
      let offset = offsetByZone.get(zone);
      if (offset === undefined) {
        let format = this.zoneFormats.get(zone);
        if (!format) {
          format = new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
          });
          this.zoneFormats.set(zone, format);
        }
        offset = zoneOffset(format, dayStart + 12 * HOUR);
        offsetByZone.set(zone, offset);
      }
      this.offsets[i] = offset;
    });
    // Lots are named by production month: goods received now are this month's, goods
    // sold were received about a month ago.
    this.lotIn = `L${iso(dayStart).slice(2, 7).replace('-', '')}`;
    this.lotOut = `L${iso(dayStart - 30 * DAY)
      .slice(2, 7)
      .replace('-', '')}`;
  }

  /** Spawns the events that start in one hour and settles those that happen in it. */
  runHour(hourStart: number): void {
    const { net, random } = this;
    const lines = this.settings.linesPerStoreDay;
    for (let store = 0; store < net.storeCount; store++) {
      const local = hourStart + this.offsets[store]!;
      const hour = Math.floor((local % DAY) / HOUR);
      const size = net.storeSize[store]! * lines;
      const sales = size * DAY_OF_WEEK[(Math.floor(local / DAY) + 4) % 7]! * TRADING_HOURS[hour]!;
      for (let n = poisson(random, sales); n > 0; n--) this.sale(store, this.within(hourStart));
      for (let n = poisson(random, sales * MIX.returns); n > 0; n--)
        this.customerReturn(store, this.within(hourStart));
      const ops = size * (1 - DC_SHARE);
      for (let n = poisson(random, ops * MIX.adjustments * TRADING_HOURS[hour]!); n > 0; n--)
        this.adjustment(store, this.within(hourStart));
      for (let n = poisson(random, ops * MIX.counts * BEFORE_OPENING[hour]!); n > 0; n--)
        this.count(store, this.within(hourStart));
      for (let n = poisson(random, ops * MIX.snapshots * NIGHTLY_BATCH[hour]!); n > 0; n--)
        this.snapshot(store, this.within(hourStart));
      for (let n = poisson(random, size * MIX.promotions * MORNING[hour]!); n > 0; n--)
        this.promotion(store, this.within(hourStart));
    }
    const perDc = (lines * net.storeCount) / net.dcCount;
    for (let dc = net.storeCount; dc < net.locationCodes.length; dc++) {
      const hour = Math.floor(((hourStart + this.offsets[dc]!) % DAY) / HOUR);
      for (let n = poisson(random, perDc * MIX.reservations * ONLINE_HOURS[hour]!); n > 0; n--)
        this.reservation(dc, this.within(hourStart));
      for (let n = poisson(random, perDc * MIX.listings * OFFICE_HOURS[hour]!); n > 0; n--)
        this.listing(dc, this.within(hourStart));
      const ops = perDc * DC_SHARE;
      for (let n = poisson(random, ops * MIX.adjustments * OFFICE_HOURS[hour]!); n > 0; n--)
        this.adjustment(dc, this.within(hourStart));
      for (let n = poisson(random, ops * MIX.counts * OFFICE_HOURS[hour]!); n > 0; n--)
        this.count(dc, this.within(hourStart));
      for (let n = poisson(random, ops * MIX.snapshots * NIGHTLY_BATCH[hour]!); n > 0; n--)
        this.snapshot(dc, this.within(hourStart));
    }
    const hourEnd = hourStart + HOUR;
    while (this.occurring.size > 0 && this.occurring.firstAt() < hourEnd) this.settle(this.occurring.pop());
  }

  /** Delivers every event still held back; what is scheduled after the window never happens. */
  finish(): void {
    while (this.late.size > 0) this.deliver(this.late.pop().event!);
  }

  private within(hourStart: number): number {
    return hourStart + Math.floor(this.random() * HOUR);
  }

  /** A moment in the next local window [fromHour, toHour) of a location after `at`. */
  private nextWindow(location: number, at: number, fromHour: number, toHour: number): number {
    const offset = this.offsets[location]!;
    const local = at + offset;
    let candidate =
      local - (local % DAY) + Math.floor((fromHour + this.random() * (toHour - fromHour)) * HOUR);
    if (candidate <= local) candidate += DAY;
    return candidate - offset;
  }

  private popular(): number {
    const cumulative = this.net.rankCumulative;
    const u = this.random();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < u) low = mid + 1;
      else high = mid;
    }
    return this.net.rankSku[low]!;
  }

  private anySku(): number {
    return Math.floor(this.random() * this.net.skuCodes.length);
  }

  private nextId(): string {
    return this.idText(this.eventNumber++);
  }

  private idText(id: number): string {
    return this.settings.idPrefix + id.toString(36);
  }

  private nextRef(kind: string): string {
    return this.refText(kind, this.refNumber++);
  }

  private refText(kind: string, ref: number): string {
    return `${kind}-${this.settings.idPrefix}${ref.toString(36)}`;
  }

  private isStore(location: number): boolean {
    return location < this.net.storeCount;
  }

  /** Expected units a day leaving a location: a store's sales, or what a DC's stores and web orders take. */
  private dailyUnits(location: number, sku: number): number {
    return this.servedLines[location]! * this.unitsPerServedLine[sku]!;
  }

  /** s of the (s, S) policy, in base units. */
  private reorderPoint(location: number, sku: number): number {
    const policy = this.isStore(location) ? POLICY.store : POLICY.dc;
    return Math.max(policy.minReorder, Math.ceil(this.dailyUnits(location, sku) * policy.reorderDays));
  }

  /** S of the (s, S) policy, in base units. */
  private orderUpTo(location: number, sku: number): number {
    const policy = this.isStore(location) ? POLICY.store : POLICY.dc;
    return Math.max(
      this.reorderPoint(location, sku) + policy.minTopUp,
      Math.ceil(this.dailyUnits(location, sku) * policy.orderUpToDays),
    );
  }

  /** The cell of a location and SKU; on first sight, its opening count. */
  private cell(location: number, sku: number): number {
    const cell = location * this.net.skuCodes.length + sku;
    if (this.settings.openingCounts && this.seen[cell] === 0) {
      this.seen[cell] = 1;
      this.openingCount(location, sku, cell);
    }
    return cell;
  }

  private schedule(
    at: number,
    event: GeneratedEvent,
    cell: number,
    delta: number,
    sku: number,
    lot: string,
    clears = 0,
  ): void {
    if (this.net.regulated[sku] === 1) event.lot = lot;
    this.occurring.push({ at, seq: this.seq++, event, followUp: undefined, cell, delta, clears });
  }

  /** Schedules a follow-up, built into its event when it happens. */
  private later(at: number, cell: number, delta: number, sku: number, lot: string, line: FollowUpLine): void {
    const followUp: FollowUp = {
      type: line.type,
      id: this.eventNumber++,
      qty: line.qty,
      inCases: line.inCases ?? false,
      detail: line.detail ?? 0,
      ref: line.ref,
      asnRef: line.asnRef ?? -1,
      expectedAt: line.expectedAt ?? 0,
      lot: this.net.regulated[sku] === 1 ? lot : undefined,
    };
    const clears = line.clears ?? 0;
    this.occurring.push({ at, seq: this.seq++, event: undefined, followUp, cell, delta, clears });
  }

  private sale(store: number, at: number): void {
    const sku = this.popular();
    const r = this.random();
    const qty =
      this.net.expensive[sku] === 1
        ? 1
        : r < 0.62
          ? 1
          : r < 0.85
            ? 2
            : r < 0.95
              ? 3
              : between(this.random, 4, 8);
    const cell = this.cell(store, sku);
    const event: GeneratedEvent = {
      event_id: this.nextId(),
      type: 'sale',
      occurred_at: iso(at),
      source: 'pos',
      location: this.net.locationCodes[store]!,
      sku: this.net.skuCodes[sku]!,
      channel: 'store',
      qty,
    };
    this.schedule(at, event, cell, -qty, sku, this.lotOut);
  }

  private customerReturn(store: number, at: number): void {
    const sku = this.popular();
    const qty = this.random() < 0.9 ? 1 : 2;
    const cell = this.cell(store, sku);
    const returnNumber = this.refNumber++;
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'return',
        occurred_at: iso(at),
        source: 'pos',
        location: this.net.locationCodes[store]!,
        sku: this.net.skuCodes[sku]!,
        channel: 'store',
        qty,
        disposition: 'pending',
        ref: { return_id: this.refText('RET', returnNumber) },
      },
      cell,
      qty,
      sku,
      this.lotOut,
    );
    // Inspected within a few days: mostly back to sale, some damaged, some thrown away.
    const inspectedAt = at + Math.floor((1 + this.random() * 3) * DAY);
    const r = this.random();
    const outcome = r < 0.7 ? 0 : r < 0.9 ? 1 : 2;
    const delta = DISPOSITIONS[outcome] === 'disposed' ? -qty : 0;
    this.later(inspectedAt, cell, delta, sku, this.lotOut, {
      type: 'return_disposition',
      qty,
      ref: returnNumber,
      detail: outcome,
    });
  }

  private adjustment(location: number, at: number): void {
    const sku = this.popular();
    const r = this.random();
    const reason = r < 0.55 ? 'shrink' : r < 0.7 ? 'damage' : r < 0.85 ? 'found' : 'correction';
    const qty =
      reason === 'correction'
        ? between(this.random, 1, 4) * (this.random() < 0.6 ? -1 : 1)
        : between(this.random, 1, 3);
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'adjustment',
        occurred_at: iso(at),
        source: this.isStore(location) ? 'store_ops' : 'wms',
        location: this.net.locationCodes[location]!,
        sku: this.net.skuCodes[sku]!,
        qty,
        reason,
      },
      this.cell(location, sku),
      reason === 'shrink' || reason === 'damage' ? -qty : qty,
      sku,
      this.lotOut,
    );
  }

  private count(location: number, at: number): void {
    // Half the counts follow sales velocity (ABC counting), half sweep the whole range.
    const sku = this.random() < 0.5 ? this.popular() : this.anySku();
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'cycle_count',
        occurred_at: iso(at),
        source: this.isStore(location) ? 'store_ops' : 'wms',
        location: this.net.locationCodes[location]!,
        sku: this.net.skuCodes[sku]!,
        counted_qty: 0,
        ref: { count_id: this.nextRef('CC') },
      },
      this.cell(location, sku),
      0,
      sku,
      this.lotOut,
    );
  }

  private openingCount(location: number, sku: number, cell: number): void {
    const net = this.net;
    const qty = between(this.random, this.reorderPoint(location, sku) + 1, this.orderUpTo(location, sku));
    this.onHand[cell] = qty;
    const event: GeneratedEvent = {
      event_id: this.nextId(),
      type: 'cycle_count',
      occurred_at: iso(this.settings.startMs - HOUR),
      source: this.isStore(location) ? 'store_ops' : 'wms',
      location: net.locationCodes[location]!,
      sku: net.skuCodes[sku]!,
      counted_qty: qty,
      ref: { count_id: `OPEN-${net.locationCodes[location]}` },
    };
    if (net.regulated[sku] === 1) event.lot = this.lotOut;
    // It happened before the window and is delivered when the SKU first shows up here,
    // like an opening stock file loaded on go-live.
    this.deliver(event);
  }

  private snapshot(location: number, at: number): void {
    const sku = this.popular();
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'stock_snapshot',
        occurred_at: iso(at),
        source: 'erp',
        location: this.net.locationCodes[location]!,
        sku: this.net.skuCodes[sku]!,
        on_hand: 0,
      },
      this.cell(location, sku),
      0,
      sku,
      this.lotOut,
    );
  }

  private promotion(store: number, at: number): void {
    const sku = this.popular();
    const startsAt = at - (at % DAY) + between(this.random, 3, 10) * DAY;
    const endsAt = startsAt + (this.random() < 0.5 ? 7 : 14) * DAY;
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'promotion',
        occurred_at: iso(at),
        source: 'erp',
        location: this.net.locationCodes[store]!,
        sku: this.net.skuCodes[sku]!,
        channel: 'store',
        starts_at: iso(startsAt),
        ends_at: iso(endsAt),
        uplift: Math.round((1.2 + this.random() * 1.3) * 10) / 10,
        ref: { promotion_id: this.nextRef('PROMO') },
      },
      this.cell(store, sku),
      0,
      sku,
      this.lotOut,
    );
  }

  private reservation(dc: number, at: number): void {
    const sku = this.popular();
    const cell = this.cell(dc, sku);
    // Marketplace orders cannot be taken on a paused listing; the webshop still sells it.
    const channel = this.random() < 0.25 && !this.pausedListings.has(cell) ? 1 : 0;
    const qty = this.random() < 0.85 ? 1 : 2;
    const order = this.refNumber++;
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'reservation',
        occurred_at: iso(at),
        source: ORDER_CHANNELS[channel] === 'marketplace' ? 'marketplace' : 'oms',
        location: this.net.locationCodes[dc]!,
        sku: this.net.skuCodes[sku]!,
        channel: ORDER_CHANNELS[channel],
        qty,
        ref: { order_id: this.refText('ORD', order) },
      },
      cell,
      0,
      sku,
      this.lotOut,
    );
    const doneAt = at + Math.floor((0.5 + this.random() * 5.5) * HOUR);
    const r = this.random();
    if (r < PICKED) {
      this.later(doneAt, cell, 0, sku, this.lotOut, { type: 'pick', qty, ref: order, detail: channel });
      const shippedAt = doneAt + Math.floor((1 + this.random() * 7) * HOUR);
      this.later(shippedAt, cell, -qty, sku, this.lotOut, {
        type: 'shipment',
        qty,
        ref: order,
        detail: channel,
      });
    } else {
      const type = r < PICKED + RELEASED ? 'reservation_released' : 'short_pick';
      this.later(doneAt, cell, 0, sku, this.lotOut, { type, qty, ref: order, detail: channel });
    }
  }

  private listing(dc: number, at: number): void {
    const sku = this.popular();
    const cell = this.cell(dc, sku);
    const paused = this.pausedListings.has(cell);
    if (paused) this.pausedListings.delete(cell);
    else this.pausedListings.add(cell);
    this.schedule(
      at,
      {
        event_id: this.nextId(),
        type: 'listing_status',
        occurred_at: iso(at),
        source: 'marketplace',
        location: this.net.locationCodes[dc]!,
        sku: this.net.skuCodes[sku]!,
        channel: 'marketplace',
        status: paused ? 'active' : 'paused',
      },
      cell,
      0,
      sku,
      this.lotOut,
    );
  }

  /**
   * A store at or below its reorder point gets what its DC can spare to bring it up to
   * its order-up-to level, shipped in the DC's next early-morning dispatch.
   */
  private replenishStore(store: number, sku: number, storeCell: number, at: number): void {
    const net = this.net;
    const position = this.onHand[storeCell]! + this.inbound[storeCell]!;
    if (position > this.reorderPoint(store, sku)) return;
    const dc = net.storeDc[store]!;
    const dcCell = this.cell(dc, sku);
    const perCase = net.caseSize[sku]!;
    const available = this.onHand[dcCell]! - this.outbound[dcCell]!;
    const need = this.orderUpTo(store, sku) - position;
    // Fast movers travel in whole cases; a store needing less than a case gets eaches.
    const inCases = perCase > 0 && need >= perCase;
    const units = inCases
      ? Math.min(Math.round(need / perCase), Math.floor(available / perCase)) * perCase
      : Math.min(need, available);
    if (units > 0) {
      const shipAt = this.nextWindow(dc, at, 3, 7);
      const receivedAt = shipAt + Math.floor((18 + this.random() * 42) * HOUR);
      const writeCases = inCases && this.random() < 0.7;
      const qty = writeCases ? units / perCase : units;
      // A few transfers arrive short by a case or a couple of units, lost in transit.
      const short = this.random() < 0.02 ? (writeCases ? 1 : Math.min(qty, between(this.random, 1, 2))) : 0;
      const transfer = this.refNumber++;
      this.outbound[dcCell] = this.outbound[dcCell]! + units;
      this.inbound[storeCell] = this.inbound[storeCell]! + units;
      this.later(shipAt, dcCell, -units, sku, this.lotOut, {
        type: 'transfer_shipped',
        qty,
        ref: transfer,
        detail: store,
        inCases: writeCases,
        expectedAt: receivedAt - (receivedAt % HOUR),
        clears: units,
      });
      const arrived = units - (writeCases ? short * perCase : short);
      this.later(receivedAt, storeCell, arrived, sku, this.lotOut, {
        type: 'transfer_received',
        qty: qty - short,
        ref: transfer,
        detail: dc,
        inCases: writeCases,
        clears: units,
      });
    }
    this.reorderAtDc(dc, sku, dcCell, at);
  }

  /** A DC at or below its reorder point orders up to its level from the supplier, in whole cases. */
  private reorderAtDc(dc: number, sku: number, cell: number, at: number): void {
    const net = this.net;
    const position = this.onHand[cell]! + this.inbound[cell]! - this.outbound[cell]!;
    if (position > this.reorderPoint(dc, sku)) return;
    const perCase = net.caseSize[sku]!;
    const need = this.orderUpTo(dc, sku) - position;
    const units = perCase > 0 ? Math.ceil(need / perCase) * perCase : need;
    const writeCases = perCase > 0 && this.random() < 0.7;
    const qty = writeCases ? units / perCase : units;
    const orderedAt = this.nextWindow(dc, at, 9, 17);
    const shippedAt = orderedAt + Math.floor((2 + this.random() * 5) * DAY);
    const receivedAt = shippedAt + Math.floor((1 + this.random() * 2) * DAY);
    const short = this.random() < 0.03 ? Math.min(qty, writeCases ? 1 : between(this.random, 1, 6)) : 0;
    const po = this.refNumber++;
    this.inbound[cell] = this.inbound[cell]! + units;
    const lot = this.lotIn;
    this.later(orderedAt, cell, 0, sku, lot, {
      type: 'purchase_order',
      qty,
      ref: po,
      inCases: writeCases,
      expectedAt: receivedAt - (receivedAt % DAY),
    });
    // Most suppliers announce the shipment; the rest are received against the PO alone.
    const asn = this.random() < WITH_ASN ? this.refNumber++ : -1;
    if (asn >= 0) {
      this.later(shippedAt, cell, 0, sku, lot, {
        type: 'asn',
        qty,
        ref: po,
        asnRef: asn,
        inCases: writeCases,
        expectedAt: receivedAt - (receivedAt % HOUR),
      });
    }
    const arrived = units - (writeCases ? short * perCase : short);
    this.later(receivedAt, cell, arrived, sku, lot, {
      type: 'receipt',
      qty: qty - short,
      ref: po,
      asnRef: asn,
      inCases: writeCases,
      clears: units,
    });
  }

  /** The event a follow-up stands for, built when it happens. */
  private materialise(followUp: FollowUp, at: number, cell: number): GeneratedEvent {
    const net = this.net;
    const skuCount = net.skuCodes.length;
    const locationIndex = Math.floor(cell / skuCount);
    const location = net.locationCodes[locationIndex]!;
    const sku = net.skuCodes[cell - locationIndex * skuCount]!;
    const event_id = this.idText(followUp.id);
    const occurred_at = iso(at);
    const { qty, detail } = followUp;
    let event: GeneratedEvent;
    switch (followUp.type) {
      case 'return_disposition':
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source: 'store_ops',
          location,
          sku,
          qty,
          disposition: DISPOSITIONS[detail]!,
          from: 'pending',
          ref: { return_id: this.refText('RET', followUp.ref) },
        };
        break;
      case 'pick':
      case 'shipment':
      case 'short_pick':
      case 'reservation_released': {
        const channel = ORDER_CHANNELS[detail]!;
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source:
            followUp.type !== 'reservation_released'
              ? 'wms'
              : channel === 'marketplace'
                ? 'marketplace'
                : 'oms',
          location,
          sku,
          channel,
          qty,
          ref: { order_id: this.refText('ORD', followUp.ref) },
        };
        break;
      }
      case 'transfer_shipped':
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source: 'wms',
          location,
          sku,
          qty,
          to_location: net.locationCodes[detail]!,
          expected_at: iso(followUp.expectedAt),
          ref: { transfer_id: this.refText('TR', followUp.ref) },
        };
        break;
      case 'transfer_received':
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source: 'store_ops',
          location,
          sku,
          qty,
          from_location: net.locationCodes[detail]!,
          ref: { transfer_id: this.refText('TR', followUp.ref) },
        };
        break;
      case 'purchase_order':
      case 'asn':
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source: followUp.type === 'asn' ? 'supplier' : 'erp',
          location,
          sku,
          qty,
          supplier: SUPPLIER,
          expected_at: iso(followUp.expectedAt),
          ref: { po_id: this.refText('PO', followUp.ref) },
        };
        break;
      case 'receipt':
        event = {
          event_id,
          type: followUp.type,
          occurred_at,
          source: 'wms',
          location,
          sku,
          qty,
          ref: { po_id: this.refText('PO', followUp.ref) },
        };
        break;
      default:
        return assertUnreachable(followUp.type, 'follow-up type');
    }
    if (followUp.asnRef >= 0) event.ref!.asn_id = this.refText('ASN', followUp.asnRef);
    if (followUp.inCases) event.uom = 'case';
    if (followUp.lot) event.lot = followUp.lot;
    return event;
  }

  /** Applies an event in occurred order: the stock it moves, or what a count or report reads. */
  private settle(entry: Scheduled): void {
    const { cell } = entry;
    const event = entry.event ?? this.materialise(entry.followUp!, entry.at, cell);
    const random = this.random;
    const previous = this.onHand[cell]!;
    if (event.type === 'cycle_count') {
      // Most counts confirm the book; some find unrecorded shrink, a few find extra units.
      const r = random();
      const found = r < 0.8 ? 0 : r < 0.92 ? -between(random, 1, 3) : between(random, 1, 2);
      event.counted_qty = Math.max(0, previous + found);
      this.onHand[cell] = event.counted_qty;
    } else if (event.type === 'stock_snapshot') {
      // The ERP mostly agrees with the ledger; a few of its figures are out of sync.
      event.on_hand = previous + (random() < 0.04 ? between(random, -6, 6) : 0);
    } else {
      this.onHand[cell] = previous + entry.delta;
      if (event.type === 'transfer_shipped') this.outbound[cell] = this.outbound[cell]! - entry.clears;
      else this.inbound[cell] = this.inbound[cell]! - entry.clears;
    }
    if (this.onHand[cell]! < previous) {
      const skuCount = this.net.skuCodes.length;
      const location = Math.floor(cell / skuCount);
      const sku = cell - location * skuCount;
      if (this.isStore(location)) this.replenishStore(location, sku, cell, entry.at);
      else this.reorderAtDc(location, sku, cell, entry.at);
    }
    this.arrive(event, entry.at);
  }

  /** Delivers an event now, or holds it back: a slow batch, a feed outage, a store offline. */
  private arrive(event: GeneratedEvent, at: number): void {
    const random = this.random;
    if (this.settings.disorder > 0 && random() < this.settings.disorder) {
      const r = random();
      const delay =
        r < 0.6
          ? (1 + random() * 59) * 60_000
          : r < 0.9
            ? (1 + random() * 11) * HOUR
            : (0.5 + random() * 2.5) * DAY;
      this.late.push({
        at: at + Math.floor(delay),
        seq: this.seq++,
        event,
        followUp: undefined,
        cell: 0,
        delta: 0,
        clears: 0,
      });
      return;
    }
    while (this.late.size > 0 && this.late.firstAt() <= at) this.deliver(this.late.pop().event!);
    this.deliver(event);
  }

  private deliver(event: GeneratedEvent): void {
    const recent = this.recent;
    if (recent.length > 0 && this.random() < this.settings.duplicateOdds) {
      const original = recent[Math.floor(this.random() * recent.length)]!;
      // A copy, not the same object, so a consumer that mutates one cannot change the other.
      this.out.push(original.ref ? { ...original, ref: { ...original.ref } } : { ...original });
    }
    this.out.push(event);
    if (recent.length < RECENT_EVENTS) recent.push(event);
    else {
      recent[this.recentNext] = event;
      this.recentNext = (this.recentNext + 1) % RECENT_EVENTS;
    }
  }
}

/**
 * A seeded, streaming event feed for the network of `generateMaster` with the same
 * stores, DCs, SKUs and seed, in arrival order: store sales with skewed SKU popularity,
 * returns and their inspection, DC-to-store transfers and supplier purchase orders with
 * ASNs and receipts (both triggered by stock falling to a reorder point), online
 * reservations with picks, releases, short picks and shipments, adjustments, cycle counts,
 * ERP stock snapshots, marketplace listing toggles and promotions. Regulated SKUs carry a
 * lot on every event. The same options give the same sequence. Memory holds a few days of
 * pending events and three 32-bit counters per location x SKU, whatever the length.
 */
export function generateEvents(options: EventStreamOptions): Generator<GeneratedEvent> {
  const net = buildNetwork(options);
  requireCount(options.days, 'days', 1);
  const duplicateRate = options.duplicateRate ?? 0.05;
  const disorder = options.disorder ?? 0.02;
  requireRate(duplicateRate, 'duplicateRate');
  requireRate(disorder, 'disorder');
  if (options.eventsTarget !== undefined) requireCount(options.eventsTarget, 'eventsTarget', 1);
  const start = options.start ?? DEFAULT_START;
  const startMs = Date.parse(`${start}T00:00:00Z`);
  // Local hours are taken modulo a day of epoch milliseconds, which must not be negative.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !(startMs >= Date.UTC(2000, 0, 1))) {
    throw new InvexError(
      'invalid_input',
      'config_invalid',
      `start must be a date from 2000-01-01 on, such as 2026-03-02, got ${start}`,
    );
  }
  // Without a target, a store's daily sales lines grow with the range, within reason.
  const linesPerStoreDay =
    options.eventsTarget === undefined
      ? Math.min(2000, Math.max(5, options.skus * 0.2))
      : (options.eventsTarget * (1 - duplicateRate)) /
        (options.days * options.stores * EVENTS_PER_SALES_LINE);
  const settings: StreamSettings = {
    startMs,
    days: options.days,
    linesPerStoreDay,
    // A copy after each delivered event with odds r / (1 - r) makes copies r of the stream.
    duplicateOdds: duplicateRate / (1 - duplicateRate),
    disorder,
    openingCounts: options.openingCounts ?? true,
    idPrefix: `ev${(options.seed >>> 0).toString(36)}-`,
  };
  // The event stream has its own random sequence, so master data does not shift it.
  const random = createRandom((options.seed ^ 0x5bd1e995) >>> 0);
  return stream(new Simulation(net, settings, random), settings, options.eventsTarget);
}

function* stream(
  simulation: Simulation,
  settings: StreamSettings,
  target: number | undefined,
): Generator<GeneratedEvent> {
  let delivered = 0;
  const out = simulation.out;
  for (let day = 0; target !== undefined || day < settings.days; day++) {
    const dayStart = settings.startMs + day * DAY;
    simulation.startDay(dayStart);
    for (let hour = 0; hour < 24; hour++) {
      simulation.runHour(dayStart + hour * HOUR);
      for (const event of out) {
        yield event;
        if (++delivered === target) return;
      }
      out.length = 0;
    }
  }
  simulation.finish();
  yield* out;
}
