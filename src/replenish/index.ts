export { DemandTracker, type DemandTrackerOptions, type DemandTrackerShape } from './demand-tracker.ts';
export { ReturnsTracker, type ReturnsTrackerOptions, type ReturnsTrackerShape } from './returns-tracker.ts';
export { type InvexPlannerOptions, invexPolicy, netQuantile } from './twin-planner.ts';
export {
  MAX_WHAT_IF_CELL_DAYS,
  prepareWhatIf,
  type Response as WhatIfResponse,
  runWhatIf,
  type WhatIfReport,
} from './what-if.ts';
export {
  getWhatIfRun,
  listWhatIfRuns,
  type WhatIfRequest,
  type WhatIfRun,
  type WhatIfRunStatus,
} from './what-if-runs.repository.ts';
export { MAX_QUEUED_WHAT_IFS, WhatIfRunner, type WhatIfRunnerOptions } from './what-if-runs.service.ts';
