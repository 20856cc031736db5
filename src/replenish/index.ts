export { DemandTracker, type DemandTrackerOptions, type DemandTrackerShape } from './demand-tracker.ts';
export { type InvexPlannerOptions, invexPolicy } from './twin-planner.ts';
export { type Response as WhatIfResponse, runWhatIf, type WhatIfReport } from './what-if.ts';
