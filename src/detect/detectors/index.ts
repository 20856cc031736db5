import type { Detector } from '../detector.ts';
import { createDataGlitchDetector } from './data-glitch.detector.ts';
import { createDemandDetector } from './demand.detector.ts';
import { createDuplicateEventsDetector } from './duplicate-events.detector.ts';
import { createNegativeOnHandDetector } from './negative-on-hand.detector.ts';
import { createOnHandMismatchDetector } from './on-hand-mismatch.detector.ts';
import { createOversellDetector } from './oversell.detector.ts';
import { createPhantomInventoryDetector } from './phantom-inventory.detector.ts';
import { createPromotionStockoutDetector } from './promotion-stockout.detector.ts';
import { createReportingGapDetector } from './reporting-gap.detector.ts';
import { createReturnDispositionDetector } from './return-disposition.detector.ts';
import { createShortPickDetector } from './short-pick.detector.ts';
import {
  createAsnDetector,
  createReceivingVarianceDetector,
  createSupplierSlipDetector,
} from './supply.detector.ts';
import { createTransferDetector } from './transfer.detector.ts';

/**
 * The registry: every detector, in the order they see an event. Order matters where one
 * explains another: the glitch detector runs before negative on-hand (a glitch's negative
 * belongs to it), the reporting gap before phantom inventory and demand (a silent till is
 * neither an empty shelf nor a drop), phantom inventory before the short-pick pattern (a
 * pick that found an empty shelf belongs to that shelf's exception).
 */
export function createDetectors(): Detector[] {
  return [
    createDataGlitchDetector(),
    createNegativeOnHandDetector(),
    createOnHandMismatchDetector(),
    createOversellDetector(),
    createReceivingVarianceDetector(),
    createAsnDetector(),
    createSupplierSlipDetector(),
    createTransferDetector(),
    createReturnDispositionDetector(),
    createDuplicateEventsDetector(),
    createReportingGapDetector(),
    createDemandDetector(),
    createPromotionStockoutDetector(),
    createPhantomInventoryDetector(),
    createShortPickDetector(),
  ];
}
export { weighSilence } from './phantom-inventory.detector.ts';
