/**
 * GS1 check digit (GS1 General Specifications §7.9): weights 3 and 1 alternate from the
 * digit next to the check digit leftwards; the check digit brings the sum to a multiple of 10.
 * Valid lengths are GTIN-8, -12, -13 and -14.
 */
export function isValidGtin(gtin: string): boolean {
  if (!/^\d+$/.test(gtin) || ![8, 12, 13, 14].includes(gtin.length)) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === Number(gtin.at(-1));
}

export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}
