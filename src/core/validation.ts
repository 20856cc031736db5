import type { z } from 'zod';

/** One broken rule of one record: which field, which rule, and a sentence a person can act on. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

const RULES: Record<string, string> = {
  invalid_type: 'type',
  too_small: 'minimum',
  too_big: 'maximum',
  invalid_format: 'format',
  invalid_value: 'allowed_values',
  unrecognized_keys: 'unknown_field',
  invalid_union: 'one_of',
  not_multiple_of: 'multiple_of',
  invalid_key: 'key',
  invalid_element: 'element',
  custom: 'rule',
};

export function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[') || '(record)'
  );
}

/** Turns zod issues into field problems; the record's own words are never echoed back in full. */
export function describeIssues(error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          field: fieldPath([...issue.path, key]),
          rule: 'unknown_field',
          message: `unknown field '${fieldPath([...issue.path, key])}'`,
        });
      }
      continue;
    }
    const field = fieldPath(issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      // zod says "Invalid input: expected number, received string": say it as a rule.
      const received = /received (\w+)/.exec(issue.message)?.[1];
      message =
        received === 'undefined'
          ? 'is required'
          : `must be a ${issue.expected}${received ? `, got ${received}` : ''}`;
    }
    const rule = (issue as { params?: { rule?: string } }).params?.rule ?? RULES[issue.code] ?? issue.code;
    problems.push({
      field,
      rule: issue.code === 'invalid_type' && message === 'is required' ? 'required' : rule,
      message: `${field} ${message}`,
    });
  }
  return problems;
}
