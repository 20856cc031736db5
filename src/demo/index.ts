export {
  type EventStreamOptions,
  type GeneratedEvent,
  generateEvents,
  generateMaster,
  type LocationInput,
  type MasterData,
  type NetworkOptions,
  type SkuInput,
} from './network.ts';
