import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXCEPTION_TYPES } from './exception.ts';
import { detectorSettingsSchema } from './settings.ts';

const doc = readFileSync(new URL('../../docs/exceptions.md', import.meta.url), 'utf8');

describe('docs/exceptions.md', () => {
  it('documents every exception type and every detector setting with its default', () => {
    for (const type of EXCEPTION_TYPES) expect(doc, type).toContain(`| \`${type}\` |`);
    for (const [key, value] of Object.entries(detectorSettingsSchema.parse({}))) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      const cell = row!.split('|')[2]!.trim();
      expect(typeof value === 'number' ? Number(cell) : cell, key).toBe(value);
    }
  });
});
