export {
  type MarkdownInput,
  type MarkdownRecommendation,
  type MarkdownRow,
  recommendMarkdown,
} from './markdown.ts';
export {
  type LeadTimeDemandInput,
  leadTimeDemand,
  type OrderQuantityInput,
  orderQuantity,
  type ProtectionDemand,
  type ReorderPolicy,
  type ReorderPolicyInput,
  reorderPolicy,
  type ServiceTarget,
} from './safety-stock.ts';
export {
  type AbcClass,
  DEFAULT_SEGMENT_TABLE,
  DEFAULT_SEGMENTATION,
  type ItemSegment,
  type Lifecycle,
  type MarginBand,
  type Segment,
  type SegmentationOptions,
  type SegmentItem,
  type SegmentMeasures,
  type SegmentPolicy,
  segmentItems,
  stepServiceLevel,
  type Velocity,
  type XyzClass,
} from './segmentation.ts';
export {
  allocateShortage,
  type ShortageAllocation,
  type ShortageRequest,
} from './shortage.ts';
