// The model's schemas check a form before the engine queues it, so a person
// sees the reason at once instead of a parked change later.
import type { z } from 'zod';

/** "name: must not be blank", or undefined when the value is valid. */
export function firstIssue(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.').replaceAll('_', ' ')}: ` : '';
  return `${where}${issue.message}`;
}
