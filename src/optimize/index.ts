export { demandSurvival, expectedSales } from './expected-sales.ts';
export { loadHighs, type Solution, type SolveOptions, type SolveStatus, solve } from './highs.ts';
export { type Column, LinearProgram, type Row, toLpText } from './linear-program.ts';
export { planNetwork } from './plan.ts';
export {
  buildTransferProgram,
  compressSlopes,
  type Segment,
  type TransferLane,
  type TransferLocation,
  type TransferProblem,
  type TransferProgram,
} from './transfer.model.ts';
export {
  DEFAULT_SEARCH_SECONDS,
  planTransfers,
  planTransfersWith,
  type RecommendedTransfer,
  solveTransferProgram,
  type TransferPlan,
} from './transfers.ts';
