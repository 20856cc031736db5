import { randomBytes } from 'node:crypto';

/** Type prefixes make an id say what it names (`tok_…`, `dlq_…`, `exc_…`). */
export type IdPrefix = 'tok' | 'dlq' | 'exc' | 'act' | 'case' | 'run' | 'wif' | 'fcv' | 'ann' | 'intent';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A sortable unique id: 48 bits of milliseconds then 80 random bits, Crockford base32
 * (the ULID layout), so ids created later sort later in indexes and listings.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[bytes[i]! % 32];
  return `${prefix}_${time}${random}`;
}
