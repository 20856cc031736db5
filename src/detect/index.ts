export { COUNT_PLAN_PREFIX, type CountTask } from './count-plan.ts';
export { DetectionService, type DetectionStats } from './detect.service.ts';
export type { DetectContext, Detector } from './detector.ts';
export { loadDetectorConfig } from './detector-config.ts';
export { createDetectors } from './detectors/index.ts';
export { DetectionEngine } from './engine.ts';
export { evaluateDetection } from './eval.service.ts';
export {
  type EvalReport,
  GRACE_HOURS,
  LABEL_TYPES,
  type RaisedException,
  scoreDetections,
  type TypeScore,
} from './eval.ts';
export {
  type ExceptionFilter,
  type ExceptionSort,
  findOpenException,
  getException,
  listExceptions,
  readRecordConfidence,
  saveExceptions,
} from './exception.repository.ts';
export {
  ACTION_KINDS,
  bandOf,
  EXCEPTION_TYPES,
  type ExceptionRecord,
  type ExceptionType,
  impactOf,
  PRIORITY_BANDS,
  priorityOf,
  type RecommendedAction,
  ROOT_CAUSES,
} from './exception.ts';
export { masterSnapshot } from './master.ts';
export { applyRecordConfidence, type ConfidenceReading, readConfidence } from './record-confidence.ts';
export {
  DetectorConfig,
  type DetectorConfigInput,
  type DetectorSettings,
  detectorSettingsSchema,
} from './settings.ts';
export { memoryPipeline } from './twin-run.ts';
