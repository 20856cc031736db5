export { demandSurvival, expectedSales } from './expected-sales.ts';
export { loadHighs, type Solution, type SolveOptions, type SolveStatus, solve } from './highs.ts';
export { type Column, LinearProgram, type Row, toLpText } from './linear-program.ts';
export { planNetwork } from './plan.ts';
export {
  buildTransferProgram,
  compressSlopes,
  FAIRNESS_PENALTY_PER_MARGIN,
  type FairnessFloor,
  type FairnessGrouping,
  fairnessGroups,
  type LocationSales,
  type Segment,
  type TransferFairness,
  type TransferLane,
  type TransferLocation,
  type TransferProblem,
  type TransferProgram,
} from './transfer.model.ts';
export {
  DEFAULT_SEARCH_SECONDS,
  type FairnessOutcome,
  type GroupServed,
  planTransfers,
  planTransfersWith,
  type RecommendedTransfer,
  solveTransferProgram,
  type TransferPlan,
} from './transfers.ts';
