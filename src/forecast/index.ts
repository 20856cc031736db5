export {
  ANNOTATION_KINDS,
  type AnnotationInput,
  type AnnotationKind,
  annotatedMask,
  annotationInputSchema,
  type DemandAnnotation,
  excludeAnnotated,
  MAX_ANNOTATION_DAYS,
} from './annotations.ts';
export {
  type AutoOptions,
  type AutoResult,
  autoForecast,
  type ClassSelection,
  METHODS,
  type MethodName,
  SELECTION_SAMPLE,
  type SeriesForecast,
  type SeriesInput,
} from './auto.ts';
export {
  type AccuracyMetrics,
  type BacktestReport,
  MetricsAccumulator,
  rollingOriginBacktest,
} from './backtest.ts';
export { defaultWorkers, workerRunner } from './batch.ts';
export { DATASETS, type DatasetName, sharedDataDir } from './datasets.ts';
export { classifyDemand, DEMAND_CLASSES, type DemandClass, type DemandProfile } from './demand-class.ts';
export { negativeBinomialQuantile, normalQuantile } from './distribution.ts';
export {
  assessDrift,
  type DriftAssessment,
  type DriftCheck,
  driftException,
  driftKey,
  type LiveAccuracy,
  liveAccuracy,
} from './drift.ts';
export { evaluateForecast, type ForecastEvalReport, referenceTrainingSeries } from './eval.ts';
export {
  activeDailyForecasts,
  annotateDemand,
  checkDrift,
  DEFAULT_MODEL,
  type DriftReport,
  demandAnnotations,
  type FitRequest,
  type ForecastView,
  fitModel,
  forecastModels,
  forecastTransitions,
  forecastVersions,
  getForecast,
  getForecastVersion,
  prepareHistory,
  promoteVersion,
  removeAnnotation,
  rollbackModel,
} from './forecast.service.ts';
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
export type {
  ForecastModelRecord,
  ForecastVersionRecord,
  SeriesForecastRow,
  StoredSelection,
} from './registry.repository.ts';
export {
  activationStack,
  type DriftSettings,
  driftSettingsSchema,
  type ModelConfig,
  type ModelConfigInput,
  modelConfigSchema,
  modelNameSchema,
  parseVersionRef,
  planPromotion,
  planRollback,
  resolveModelConfig,
  TRANSITION_ACTIONS,
  type TransitionRecord,
  VERSION_STATUSES,
  type VersionStatus,
} from './registry.ts';
export {
  type DispositionEvidence,
  fitDistributedLag,
  fitReturns,
  forecastReturnSeries,
  forecastReturns,
  projectSellable,
  type ReturnLagEvidence,
  type ReturnsFitOptions,
  type ReturnsForecast,
  type ReturnsForecastInput,
  type ReturnsGroup,
  type ReturnsHistory,
  type ReturnsModel,
  type ReturnsSeries,
  returnsGroupOf,
  type SellableProjection,
  type SellableProjectionInput,
  shrinkRates,
} from './returns.ts';
export {
  evaluateReturns,
  RETURNS_METHODS,
  type ReturnsAccuracy,
  type ReturnsEvalReport,
  type ReturnsMethod,
} from './returns-eval.ts';
