export {
  allocateChannels,
  type ChannelAllocation,
  type ChannelAllocationInput,
  type ChannelDemand,
  type ChannelName,
  type ChannelPromise,
} from './channel-allocation.ts';
export {
  type FairnessReport,
  type FairnessRow,
  type FairnessViolation,
  type FairShareFloors,
  type FairShareRequest,
  fairnessReport,
  fairShareFloor,
  type RegionShare,
  type StoreGroupShare,
} from './fairness.ts';
export {
  chooseFulfilmentNode,
  type FulfilmentDecision,
  type FulfilmentNode,
  type FulfilmentOption,
  type FulfilmentOrder,
  type FulfilmentRequest,
} from './fulfilment.ts';
export { type TrueStockModel, trueStockDistribution } from './record-error.ts';
