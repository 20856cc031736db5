/**
 * Demand classes of Syntetos, Boylan and Croston (2005): the average inter-demand interval
 * (ADI) and the squared coefficient of variation of the non-zero demand sizes (CV^2), cut
 * at 1.32 and 0.49. Smooth and erratic demand suit exponential smoothing; intermittent
 * and lumpy demand suit Croston-type methods.
 */
export type DemandClass = 'smooth' | 'erratic' | 'intermittent' | 'lumpy';
export const DEMAND_CLASSES: readonly DemandClass[] = ['smooth', 'erratic', 'intermittent', 'lumpy'];

export const ADI_CUT = 1.32;
export const CV2_CUT = 0.49;

export interface DemandProfile {
  class: DemandClass;
  adi: number;
  cv2: number;
  /** Periods with a demand. */
  demands: number;
}

export function classifyDemand(y: ArrayLike<number>): DemandProfile {
  let demands = 0;
  let sum = 0;
  let sumSq = 0;
  for (let t = 0; t < y.length; t++) {
    const v = y[t]!;
    if (v > 0) {
      demands++;
      sum += v;
      sumSq += v * v;
    }
  }
  const adi = demands > 0 ? y.length / demands : Number.POSITIVE_INFINITY;
  const mean = demands > 0 ? sum / demands : 0;
  const variance = demands > 1 ? (sumSq - demands * mean * mean) / (demands - 1) : 0;
  const cv2 = mean > 0 ? Math.max(0, variance) / (mean * mean) : 0;
  const intermittent = adi >= ADI_CUT;
  const variable = cv2 >= CV2_CUT;
  const cls: DemandClass = intermittent
    ? variable
      ? 'lumpy'
      : 'intermittent'
    : variable
      ? 'erratic'
      : 'smooth';
  return { class: cls, adi, cv2, demands };
}
