import type { TransferLane } from '../optimize/index.ts';
import type { PlanLocation } from './plan.model.ts';

export interface LaneSettings {
  costPerUnitKm: number;
  handlingCostPerUnit: number;
  shipmentCost: number;
  maxDistanceKm: number;
  kmPerLeadDay: number;
  sameRegionKm: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine, mean Earth radius); road distance is longer, which the cost per km absorbs. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The km between two locations: great-circle when both have coordinates; otherwise, within
 * one region, the configured same-region distance, and across regions no lane (null).
 */
export function laneDistance(from: PlanLocation, to: PlanLocation, settings: LaneSettings): number | null {
  if (from.lat !== null && from.lon !== null && to.lat !== null && to.lon !== null)
    return distanceKm({ lat: from.lat, lon: from.lon }, { lat: to.lat, lon: to.lon });
  return from.region === to.region ? settings.sameRegionKm : null;
}

/**
 * Candidate lanes for one SKU: store to store (and dark store) both ways, DC to store one
 * way (a DC is a source here; it is refilled by its suppliers, not by stores), each within
 * the longest distance. Cost per unit = handling + km x cost per unit-km; lead time =
 * 1 day + one day per `kmPerLeadDay` km (a next-day run locally, a day more per leg).
 */
export function buildLanes(
  locations: readonly PlanLocation[],
  settings: LaneSettings,
): (TransferLane & { km: number })[] {
  const lanes: (TransferLane & { km: number })[] = [];
  const sellers = locations.filter((l) => l.kind === 'store' || l.kind === 'dark_store');
  const sources = locations.filter((l) => l.kind === 'store' || l.kind === 'dark_store' || l.kind === 'dc');
  for (const from of sources) {
    for (const to of sellers) {
      if (from.location === to.location) continue;
      const km = laneDistance(from, to, settings);
      if (km === null || km > settings.maxDistanceKm) continue;
      lanes.push({
        from: from.location,
        to: to.location,
        km,
        unitCost: settings.handlingCostPerUnit + km * settings.costPerUnitKm,
        shipmentCost: settings.shipmentCost,
        leadTimeDays: 1 + Math.floor(km / settings.kmPerLeadDay),
      });
    }
  }
  return lanes;
}
