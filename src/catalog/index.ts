export {
  countMasterData,
  findLocations,
  findSkus,
  type LocationRecord,
  listChannelNames,
  type SkuRecord,
} from './catalog.repository.ts';
export { gtinCheckDigit, isValidGtin } from './gtin.ts';
export {
  type Channel,
  CODE,
  channelName,
  channelSchema,
  DEFAULT_CHANNELS,
  LOCATION_KINDS,
  type Location,
  type LocationKind,
  locationSchema,
  type Sku,
  skuSchema,
  uomName,
} from './master.schema.ts';
export {
  importMaster,
  type MasterImportResult,
  type MasterRejection,
  parseMasterText,
  validateMaster,
} from './master-import.ts';
