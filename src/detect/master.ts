import type { Location, Sku } from '../catalog/index.ts';
import type { LocationInfo, MasterSnapshot, SkuInfo } from './state.ts';

/**
 * Offset of a time zone from UTC at an instant, in ms. Detectors use one offset per
 * location (read at start): trading hours drift by an hour across a DST change.
 */
export function zoneOffsetMs(timeZone: string, at: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(
      new Date(at),
    );
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
    if (!match) return 0;
    const sign = match[1] === '-' ? -1 : 1;
    return sign * (Number(match[2]) * 60 + Number(match[3] ?? 0)) * 60_000;
  } catch {
    return 0;
  }
}

export function masterSnapshot(
  skus: Pick<Sku, 'sku' | 'category' | 'unit_cost' | 'unit_price'>[],
  locations: Pick<Location, 'location' | 'kind' | 'region' | 'timezone'>[],
  at: number = Date.now(),
): MasterSnapshot {
  return {
    skus: new Map<string, SkuInfo>(
      skus.map((s) => [
        s.sku,
        { sku: s.sku, category: s.category, unitCost: Number(s.unit_cost), unitPrice: Number(s.unit_price) },
      ]),
    ),
    locations: new Map<string, LocationInfo>(
      locations.map((l) => [
        l.location,
        { location: l.location, kind: l.kind, region: l.region, offsetMs: zoneOffsetMs(l.timezone, at) },
      ]),
    ),
  };
}
