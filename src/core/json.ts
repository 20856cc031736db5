import { InvexError } from './errors.ts';

/** Parses a whole file's JSON, with an error that names the file and what is wrong. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvexError(
      'invalid_input',
      'input_unreadable',
      `${what} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
