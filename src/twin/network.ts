import { gtinCheckDigit } from '../catalog/index.ts';
import { between, createRandom } from './random.ts';
import type { Scenario } from './scenario.ts';

/**
 * The simulated retail network: regions with their climate, stores, DCs, suppliers and
 * SKUs with velocity and seasonality. Built from the scenario and its seed alone.
 */
export type Climate = 'cold' | 'mild' | 'hot';

interface RegionSpec {
  region: string;
  timezone: string;
  /** Standard-time offset from UTC in hours, for placing events in local store hours. */
  utcOffset: number;
  climate: Climate;
  cities: [string, number, number][];
}

const REGIONS: RegionSpec[] = [
  {
    region: 'northeast',
    timezone: 'America/New_York',
    utcOffset: -5,
    climate: 'cold',
    cities: [
      ['Boston', 42.36, -71.06],
      ['New York', 40.71, -74.01],
    ],
  },
  {
    region: 'florida',
    timezone: 'America/New_York',
    utcOffset: -5,
    climate: 'hot',
    cities: [
      ['Miami', 25.76, -80.19],
      ['Tampa', 27.95, -82.46],
    ],
  },
  {
    region: 'midwest',
    timezone: 'America/Chicago',
    utcOffset: -6,
    climate: 'cold',
    cities: [
      ['Chicago', 41.88, -87.63],
      ['Minneapolis', 44.98, -93.27],
    ],
  },
  {
    region: 'texas',
    timezone: 'America/Chicago',
    utcOffset: -6,
    climate: 'hot',
    cities: [
      ['Houston', 29.76, -95.37],
      ['Dallas', 32.78, -96.8],
    ],
  },
  {
    region: 'mountain',
    timezone: 'America/Denver',
    utcOffset: -7,
    climate: 'cold',
    cities: [['Denver', 39.74, -104.99]],
  },
  {
    region: 'california',
    timezone: 'America/Los_Angeles',
    utcOffset: -8,
    climate: 'mild',
    cities: [
      ['Los Angeles', 34.05, -118.24],
      ['San Diego', 32.72, -117.16],
    ],
  },
  {
    region: 'pacific_northwest',
    timezone: 'America/Los_Angeles',
    utcOffset: -8,
    climate: 'mild',
    cities: [
      ['Seattle', 47.61, -122.33],
      ['Portland', 45.52, -122.68],
    ],
  },
];

export type Velocity = 'fast' | 'medium' | 'slow' | 'intermittent';

interface CategorySpec {
  category: string;
  share: number;
  cost: [number, number];
  margin: [number, number];
  caseSizes: number[];
  /** Day of the year demand peaks, and the amplitude of the yearly swing by climate. */
  peakDay: number;
  amplitude: Record<Climate, number>;
  returnRate: number;
  regulatedShare: number;
}

const CATEGORIES: CategorySpec[] = [
  {
    category: 'outerwear',
    share: 0.1,
    cost: [15, 80],
    margin: [0.5, 0.65],
    caseSizes: [],
    peakDay: 15,
    amplitude: { cold: 0.9, mild: 0.6, hot: 0.3 },
    returnRate: 0.08,
    regulatedShare: 0,
  },
  {
    category: 'swimwear',
    share: 0.06,
    cost: [5, 30],
    margin: [0.55, 0.7],
    caseSizes: [],
    peakDay: 196,
    amplitude: { cold: 0.9, mild: 0.7, hot: 0.4 },
    returnRate: 0.06,
    regulatedShare: 0,
  },
  {
    category: 'beverages',
    share: 0.18,
    cost: [0.3, 4],
    margin: [0.25, 0.4],
    caseSizes: [6, 12, 24],
    peakDay: 200,
    amplitude: { cold: 0.25, mild: 0.2, hot: 0.15 },
    returnRate: 0.002,
    regulatedShare: 0,
  },
  {
    category: 'grocery',
    share: 0.24,
    cost: [0.5, 8],
    margin: [0.2, 0.35],
    caseSizes: [6, 12],
    peakDay: 350,
    amplitude: { cold: 0.08, mild: 0.08, hot: 0.08 },
    returnRate: 0.002,
    regulatedShare: 0,
  },
  {
    category: 'household',
    share: 0.14,
    cost: [0.8, 12],
    margin: [0.3, 0.45],
    caseSizes: [6, 12],
    peakDay: 100,
    amplitude: { cold: 0.05, mild: 0.05, hot: 0.05 },
    returnRate: 0.01,
    regulatedShare: 0,
  },
  {
    category: 'pharmacy',
    share: 0.08,
    cost: [1.5, 15],
    margin: [0.3, 0.5],
    caseSizes: [12, 24],
    peakDay: 20,
    amplitude: { cold: 0.4, mild: 0.25, hot: 0.1 },
    returnRate: 0.005,
    regulatedShare: 0.5,
  },
  {
    category: 'electronics',
    share: 0.08,
    cost: [10, 300],
    margin: [0.15, 0.3],
    caseSizes: [],
    peakDay: 350,
    amplitude: { cold: 0.5, mild: 0.5, hot: 0.5 },
    returnRate: 0.07,
    regulatedShare: 0,
  },
  {
    category: 'toys',
    share: 0.12,
    cost: [3, 40],
    margin: [0.4, 0.55],
    caseSizes: [6],
    peakDay: 352,
    amplitude: { cold: 0.7, mild: 0.7, hot: 0.7 },
    returnRate: 0.04,
    regulatedShare: 0,
  },
];

/** Base units a store sells of a SKU on an average day, by velocity class. */
const VELOCITY_RATE: Record<Velocity, number> = { fast: 2.5, medium: 0.7, slow: 0.15, intermittent: 0.05 };
/**
 * The range of a SKU's chance of one more unit per shopper. A geometric basket with chance
 * p has variance over mean (1 + p) / (1 - p): 1.1 to 3.4 over this range, the lower three
 * quarters of single items' 1.1 to 6 on M5 (intermittent SKUs' fixed lumps of 2 to 8 make
 * the rest; docs/twin.md).
 */
const BASKET = [0.05, 0.55] as const;

export interface TwinSku {
  index: number;
  sku: string;
  name: string;
  category: number;
  unitCost: number;
  unitPrice: number;
  caseSize: number;
  regulated: boolean;
  velocity: Velocity;
  /**
   * Mean units per store-day before seasonality; of an intermittent SKU, mean shoppers,
   * each of whom takes `lump` units.
   */
  baseRate: number;
  /** Units per demand occurrence of an intermittent SKU (it sells in lumps); 1 for the others. */
  lump: number;
  /**
   * Probability that a shopper of this SKU takes one more unit, again and again (a
   * geometric basket of mean 1 / (1 - basket)): single items' lumpiness, 0 for
   * intermittent SKUs, whose lumps are fixed.
   */
  basket: number;
  supplier: number;
}

export interface TwinLocation {
  index: number;
  location: string;
  name: string;
  kind: 'store' | 'dc' | 'dark_store' | 'supplier';
  region: number;
  utcOffset: number;
  lat: number;
  lon: number;
  /** For stores: the DC that replenishes it. */
  dc: number;
}

export interface TwinSupplier {
  location: number;
  /** Mean and spread of days from order to arrival. */
  leadDays: number;
  leadSpread: number;
}

export interface TwinNetwork {
  regions: RegionSpec[];
  categories: CategorySpec[];
  skus: TwinSku[];
  locations: TwinLocation[];
  stores: number[];
  dcs: number[];
  darkStores: number[];
  /** Stores and dark stores: the sites the DCs replenish. */
  replenished: number[];
  /** Every location that holds stock: DCs, stores, dark stores. */
  held: number[];
  suppliers: TwinSupplier[];
  /** Stores also sell on the marketplace, shipping from the store. */
  shipFromStore: boolean;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const round2 = (value: number) => Math.round(value * 100) / 100;

export function buildNetwork(scenario: Scenario, seed: number): TwinNetwork {
  const random = createRandom(seed ^ 0x7f4a7c15);
  // A stream of its own, so that adding the baskets left every other draw of the network as it was.
  const basketRandom = createRandom(seed ^ 0x1b873593);
  const locations: TwinLocation[] = [];
  const dcs: number[] = [];
  const stores: number[] = [];
  const { network } = scenario;
  const width = Math.max(3, String(network.stores).length);

  // DCs spread over the regions, then each store takes the DC of its region or the first.
  for (let i = 0; i < network.dcs; i++) {
    const region = i % REGIONS.length;
    const spec = REGIONS[region]!;
    const [city, lat, lon] = spec.cities[0]!;
    dcs.push(locations.length);
    locations.push({
      index: locations.length,
      location: `DC${pad(i + 1, 2)}`,
      name: `${city} DC`,
      kind: 'dc',
      region,
      utcOffset: spec.utcOffset,
      lat,
      lon,
      dc: -1,
    });
  }
  for (let i = 0; i < network.stores; i++) {
    const region = i % REGIONS.length;
    const spec = REGIONS[region]!;
    const [city, lat, lon] = spec.cities[Math.floor(i / REGIONS.length) % spec.cities.length]!;
    const dc = dcs.find((d) => locations[d]!.region === region) ?? dcs[i % dcs.length]!;
    stores.push(locations.length);
    locations.push({
      index: locations.length,
      location: `S${pad(i + 1, width)}`,
      name: `${city} #${Math.floor(i / REGIONS.length) + 1}`,
      kind: 'store',
      region,
      utcOffset: spec.utcOffset,
      lat: round2(lat + (random() - 0.5) * 0.2),
      lon: round2(lon + (random() - 0.5) * 0.2),
      dc,
    });
  }
  const darkStores: number[] = [];
  for (let i = 0; i < network.dark_stores; i++) {
    const region = i % REGIONS.length;
    const spec = REGIONS[region]!;
    const [city, lat, lon] = spec.cities[0]!;
    const dc = dcs.find((d) => locations[d]!.region === region) ?? dcs[i % dcs.length]!;
    darkStores.push(locations.length);
    locations.push({
      index: locations.length,
      location: `DS${pad(i + 1, 2)}`,
      name: `${city} dark store`,
      kind: 'dark_store',
      region,
      utcOffset: spec.utcOffset,
      lat,
      lon,
      dc,
    });
  }
  const suppliers: TwinSupplier[] = [];
  for (let i = 0; i < network.suppliers; i++) {
    suppliers.push({
      location: locations.length,
      leadDays: between(random, 4, 12),
      leadSpread: between(random, 1, 3),
    });
    locations.push({
      index: locations.length,
      location: `SUP${pad(i + 1, 2)}`,
      name: `Supplier ${i + 1}`,
      kind: 'supplier',
      region: 0,
      utcOffset: 8,
      lat: 31.23,
      lon: 121.47,
      dc: -1,
    });
  }

  const skus: TwinSku[] = [];
  const skuWidth = Math.max(5, String(network.skus).length);
  for (let i = 0; i < network.skus; i++) {
    // Categories by share, deterministic: the i-th SKU falls where i/n lands in the cumulative shares.
    let category = 0;
    for (let c = 0, cumulative = 0; c < CATEGORIES.length; c++) {
      cumulative += CATEGORIES[c]!.share;
      if ((i + 0.5) / network.skus <= cumulative) {
        category = c;
        break;
      }
      category = c;
    }
    const spec = CATEGORIES[category]!;
    const draw = random();
    const velocity: Velocity =
      draw < 0.15 ? 'fast' : draw < 0.5 ? 'medium' : draw < 0.85 ? 'slow' : 'intermittent';
    const unitCost = round2(spec.cost[0] + random() * (spec.cost[1] - spec.cost[0]));
    const margin = spec.margin[0] + random() * (spec.margin[1] - spec.margin[0]);
    const caseSize =
      spec.caseSizes.length > 0 && random() < 0.8
        ? spec.caseSizes[Math.floor(random() * spec.caseSizes.length)]!
        : 1;
    const code = pad(i + 1, skuWidth);
    skus.push({
      index: i,
      sku: `SKU${code}`,
      name: `${spec.category} item ${code}`,
      category,
      unitCost,
      unitPrice: round2(unitCost / (1 - margin)),
      caseSize,
      regulated: random() < spec.regulatedShare,
      velocity,
      baseRate: VELOCITY_RATE[velocity] * (0.5 + random()),
      lump: velocity === 'intermittent' ? between(random, 2, 8) : 1,
      basket: velocity === 'intermittent' ? 0 : BASKET[0] + basketRandom() * (BASKET[1] - BASKET[0]),
      supplier: i % network.suppliers,
    });
  }
  return {
    regions: REGIONS,
    categories: CATEGORIES,
    skus,
    locations,
    stores,
    dcs,
    darkStores,
    replenished: [...stores, ...darkStores],
    held: [...dcs, ...stores, ...darkStores],
    suppliers,
    shipFromStore: scenario.demand.ship_from_store_orders > 0,
  };
}

/** GTIN-13 of a SKU in a private-label prefix, with its GS1 check digit. */
function gtinOf(sku: TwinSku): string {
  const body = `20${pad(sku.index + 1, 10)}`;
  return `${body}${gtinCheckDigit(body)}`;
}

/** Master data in the form `invex master import` reads. */
export function masterData(net: TwinNetwork): {
  skus: Record<string, unknown>[];
  locations: Record<string, unknown>[];
} {
  return {
    skus: net.skus.map((s) => ({
      sku: s.sku,
      gtin: gtinOf(s),
      name: s.name,
      category: net.categories[s.category]!.category,
      unit_cost: s.unitCost,
      unit_price: s.unitPrice,
      ...(s.caseSize > 1 ? { uoms: { case: s.caseSize } } : {}),
      ...(s.regulated ? { regulated: true } : {}),
    })),
    locations: net.locations.map((l) => ({
      location: l.location,
      name: l.name,
      kind: l.kind,
      region: l.kind === 'supplier' ? 'overseas' : net.regions[l.region]!.region,
      lat: l.lat,
      lon: l.lon,
      timezone: l.kind === 'supplier' ? 'Asia/Shanghai' : net.regions[l.region]!.timezone,
      ...(l.kind === 'store' && net.shipFromStore ? { channels: ['store', 'marketplace'] } : {}),
    })),
  };
}

/** The yearly demand multiplier of a category in a climate on a day of the year (1 on average). */
export function seasonality(net: TwinNetwork, category: number, climate: Climate, dayOfYear: number): number {
  const spec = net.categories[category]!;
  const amplitude = spec.amplitude[climate];
  return Math.max(0.02, 1 + amplitude * Math.cos((2 * Math.PI * (dayOfYear - spec.peakDay)) / 365));
}

/** Weekly shape, Monday first: weekends sell more in stores. */
export const WEEKDAY = [0.85, 0.85, 0.9, 0.95, 1.1, 1.3, 1.05];
