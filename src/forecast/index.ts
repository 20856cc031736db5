export {
  type AutoOptions,
  type AutoResult,
  autoForecast,
  type ClassSelection,
  METHODS,
  type MethodName,
  type SeriesForecast,
  type SeriesInput,
} from './auto.ts';
export { defaultWorkers, workerRunner } from './batch.ts';
export { DATASETS, type DatasetName, sharedDataDir } from './datasets.ts';
export { classifyDemand, DEMAND_CLASSES, type DemandClass, type DemandProfile } from './demand-class.ts';
export { negativeBinomialQuantile, normalQuantile } from './distribution.ts';
export { evaluateForecast, type ForecastEvalReport } from './eval.ts';
export {
  type DemandHistoryQuery,
  type DemandSeries,
  GRAINS,
  type Grain,
  loadDemandHistory,
  MAX_HISTORY_DAYS,
  periodRange,
} from './history.repository.ts';
export { autoEts, type EtsFit, etsForecast, fitEts } from './models/ets.model.ts';
export { croston, sba, tsb } from './models/intermittent.model.ts';
