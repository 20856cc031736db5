export { type AllocateRecommendation, type ChannelLine, planAllocation } from './allocate.plan.ts';
export { averageDay, dominantForecast, type SpanDemand, spanDemand } from './demand.ts';
export { type CellForecasts, type ForecastCell, forecastsFor } from './forecasts.ts';
export type { IntentFilter } from './intent.repository.ts';
export {
  applyIntents,
  INTENT_KINDS,
  type IntentKind,
  inForce,
  type NewIntent,
  newIntentSchema,
  type PlanIntent,
} from './intents.ts';
export { buildLanes, distanceKm, type LaneSettings } from './lanes.ts';
export { type MarkdownPlanRecommendation, planMarkdowns } from './markdown.plan.ts';
export {
  type AllocateRequest,
  allocateRequestSchema,
  type ForecastUsed,
  MAX_PLAN_CELLS,
  MAX_PLAN_LIMIT,
  type MarkdownRequest,
  markdownRequestSchema,
  PLAN_KINDS,
  type PlanKind,
  type PlanScope,
  parsePlanRequest,
  type ReorderRequest,
  reorderRequestSchema,
  scopeSchema,
  type TransfersRequest,
  transfersRequestSchema,
} from './plan.model.ts';
export {
  allocatePlan,
  createIntent,
  findIntents,
  markdownPlan,
  type PlanDeps,
  type PlanResult,
  reorderPlan,
  revokeIntent,
  transfersPlan,
} from './plan.service.ts';
export { planReorder, type ReorderRecommendation } from './reorder.plan.ts';
export { type TransferLine, type TransferRecommendation, transferRecommendations } from './transfers.plan.ts';
