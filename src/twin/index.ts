export { buildNetwork, masterData, type TwinNetwork } from './network.ts';
export { HOLDING_RATE, type PlayKpis, playScenario, TRANSFER_COST } from './play.ts';
export { AliasTable, createRandom, negativeBinomial, poisson, type Random } from './random.ts';
export { type RunSummary, runScenario } from './run.ts';
export {
  FAULT_TYPES,
  type FaultType,
  type LabelType,
  loadScenario,
  OUTCOME_TYPES,
  type Scenario,
  scenarioSchema,
  shippedScenarios,
  type WhatIf,
} from './scenario.ts';
export { twinEvents, twinMaster } from './stream.ts';
export {
  type FaultLabel,
  type Planner,
  type PlannerView,
  type ReplenishmentPolicy,
  type TwinEvent,
  type TwinSink,
  World,
} from './world.ts';
