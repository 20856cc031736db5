import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './event.schema.ts';
import { canonicalJsonSchema } from './json-schema.ts';

describe('published JSON Schema', () => {
  it('is the one generated from the code (run `npm run schema` after changing a schema)', () => {
    const published = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../docs/events.schema.json'), 'utf8'),
    );
    expect(published).toEqual(canonicalJsonSchema());
  });

  it('documents every event type in docs/events.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/events.md'), 'utf8');
    for (const type of EVENT_TYPES) expect(doc).toMatch(new RegExp(`\\|\\s*\`${type}\`\\s*\\|`));
  });
});
