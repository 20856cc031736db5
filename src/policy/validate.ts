/**
 * Input checks shared by the policy functions. A bad input is a caller's bug, so it is
 * thrown as a RangeError whose message names the field and the value it had.
 */

export interface NumberRule {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  minExclusive?: boolean;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  maxExclusive?: boolean;
  integer?: boolean;
  /** Allow +Infinity (a dispersion of Infinity means Poisson). */
  allowInfinity?: boolean;
}

export function checkNumber(field: string, value: unknown, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || (rule.allowInfinity === true && value === Number.POSITIVE_INFINITY)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max)) &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) throw new RangeError(`${field} must be ${describe(rule)}, got ${String(value)}`);
  return value as number;
}

function describe(rule: NumberRule): string {
  const parts: string[] = [rule.integer ? 'an integer' : 'a finite number'];
  if (rule.allowInfinity) parts[0] = 'a number (Infinity allowed)';
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  return parts.join(' ');
}

/** Rounds a quantity up to whole packs; a hair of tolerance keeps 3.0000000000000004 at 3. */
export function roundUpToPacks(units: number, packSize: number): number {
  return Math.max(0, Math.ceil(units / packSize - 1e-9) * packSize);
}
