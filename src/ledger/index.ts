export {
  BUCKETS,
  type Bucket,
  compareKeys,
  counterpartOf,
  type Delta,
  type Effect,
  effectsOf,
  type LedgerEvent,
  onHandDelta,
  refsOf,
} from './movements.ts';
export { applyToProjection, readStates, stateKey } from './projection.repository.ts';
export {
  getStock,
  getStockAt,
  type LineageEntry,
  lineage,
  listStock,
  loadLedgerEvents,
  lotBalances,
  rebuildProjection,
  type StockFilter,
} from './stock.service.ts';
export {
  type ChannelAvailability,
  type PictureContext,
  type StockPicture,
  toPicture,
} from './stock-picture.ts';
export { emptyState, foldStock, type Reported, type StockState } from './stock-state.ts';
