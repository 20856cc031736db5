import { z } from 'zod';
import { isValidGtin } from './gtin.ts';

export const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const code = (what: string) =>
  z.string().regex(CODE, {
    message: `${what} must be 1-64 letters, digits or . _ : / - (starting with a letter or digit)`,
  });

export const uomName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { message: 'unit names are lower-case words' });

export const skuSchema = z
  .strictObject({
    sku: code('sku'),
    gtin: z
      .string()
      .refine(isValidGtin, { message: 'gtin must be 8, 12, 13 or 14 digits with a valid GS1 check digit' })
      .optional(),
    name: z.string().min(1).max(200),
    category: z.string().min(1).max(100),
    unit_cost: z.number().nonnegative().max(1e9),
    unit_price: z.number().nonnegative().max(1e9),
    base_uom: uomName.default('each'),
    /** Other units in base units each, e.g. `{ "case": 12 }`. */
    uoms: z.record(uomName, z.number().int().positive().max(1_000_000)).default({}),
    regulated: z.boolean().default(false),
  })
  .refine((s) => !(s.base_uom in s.uoms), {
    message: 'uoms must not redefine the base unit',
    path: ['uoms'],
  })
  .describe('A stock-keeping unit. Regulated SKUs require a lot on every stock movement.');
export type Sku = z.output<typeof skuSchema>;

export const LOCATION_KINDS = ['store', 'dc', 'dark_store', 'marketplace_node', 'supplier'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

/** Channels a location sells through when its record names none. */
export const DEFAULT_CHANNELS: Record<LocationKind, string[]> = {
  store: ['store'],
  dc: ['ecommerce', 'marketplace'],
  dark_store: ['ecommerce'],
  marketplace_node: ['marketplace'],
  supplier: [],
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const channelName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { message: 'channel names are lower-case words such as marketplace' });

export const locationSchema = z
  .strictObject({
    location: code('location'),
    name: z.string().min(1).max(200).optional(),
    kind: z.enum(LOCATION_KINDS),
    region: z.string().min(1).max(100),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'timezone must be an IANA zone such as Europe/Paris' }),
    channels: z.array(channelName).max(32).optional(),
  })
  .refine((l) => (l.lat === undefined) === (l.lon === undefined), {
    message: 'lat and lon go together',
    path: ['lat'],
  })
  .transform((l) => ({ ...l, channels: l.channels ?? DEFAULT_CHANNELS[l.kind] }))
  .describe('A place that holds or sells stock.');
export type Location = z.output<typeof locationSchema>;

export const channelSchema = z
  .strictObject({ channel: channelName, name: z.string().min(1).max(100) })
  .describe('A sales channel (store, ecommerce and marketplace exist from the start).');
export type Channel = z.output<typeof channelSchema>;
