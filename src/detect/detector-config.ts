import { readFileSync } from 'node:fs';
import { InvexError } from '../core/errors.ts';
import { parseJsonText } from '../core/json.ts';
import { describeIssues } from '../core/validation.ts';
import { type DetectorConfigInput, detectorConfigSchema } from './settings.ts';

/** Reads and validates a detector settings file (INVEX_DETECTORS); undefined gives the defaults. */
export function loadDetectorConfig(path: string | undefined): DetectorConfigInput {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvexError(
      'invalid_input',
      'detector_config_invalid',
      `cannot read detector settings ${path}: ${(error as Error).message}`,
    );
  }
  const parsed = detectorConfigSchema.safeParse(parseJsonText(text, path));
  if (!parsed.success) {
    const problems = describeIssues(parsed.error).map((p) => `${p.field}: ${p.message}`);
    throw new InvexError(
      'invalid_input',
      'detector_config_invalid',
      `detector settings ${path} are invalid: ${problems.join('; ')}`,
    );
  }
  return parsed.data;
}
