import type { ExceptionRecord, ExceptionType, Finding } from './exception.ts';
import type { StoreErrorRate } from './record-confidence.ts';
import type { DetectorSettings } from './settings.ts';
import type { Cell, LocationState, ObservedDelivery, ObservedEvent, WorldState } from './state.ts';

/** What a detector sees and may do. */
export interface DetectContext {
  /** The engine's clock: wall time in service, simulated time in the twin. */
  readonly now: number;
  readonly state: WorldState;
  /** Settings for a category and region (the defaults when both are null). */
  settings(category: string | null, region: string | null): DetectorSettings;
  cellSettings(cell: Cell): DetectorSettings;
  /** Settings for a SKU's category at a location's region. */
  settingsAt(sku: string, location: string): DetectorSettings;
  /** Opens an exception for the finding's key, or updates the open one. */
  raise(finding: Finding): void;
  /** Closes the open exception of a key, saying why; no-op when none is open. */
  close(key: string, reason: string): void;
  open(key: string): ExceptionRecord | undefined;
  /** Open exceptions whose key starts with a prefix (`transfer:`). */
  openWithPrefix(prefix: string): ExceptionRecord[];
  storeErrorRate(location: string): StoreErrorRate | undefined;
}

/**
 * A detector watches events as they arrive (`onEvent`, `onDelivery`) and/or scans on a
 * schedule (`sweep`). Detectors are pure functions of the shared state; the engine owns
 * exceptions and their persistence.
 */
export interface Detector {
  readonly name: string;
  readonly types: readonly ExceptionType[];
  onEvent?(ctx: DetectContext, o: ObservedEvent, cell: Cell): void;
  onDelivery?(ctx: DetectContext, d: ObservedDelivery, location: LocationState): void;
  sweep?(ctx: DetectContext): void;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const fixed = (x: number, digits = 2) => Number(x.toFixed(digits));
export const margin = (cell: Cell) => Math.max(0, cell.sku.unitPrice - cell.sku.unitCost);
export const leadDays = (cell: Cell, s: DetectorSettings) =>
  cell.loc.kind === 'dc' ? s.dc_lead_days : s.store_lead_days;
