// The one error shape every refusal of the sync function must have, checked
// with the protocol's own schema (written once, in packages/protocol).
import { expect } from 'vitest';
import { errorResponse, type WireError } from '../../packages/protocol/src/index.ts';
import type { Answer } from './stack.ts';

/** Asserts `answer` is a typed error with this status (and code, when given); returns the error. */
export function expectTypedError(answer: Answer, status: number, code?: string | string[]): WireError {
  const parsed = errorResponse.safeParse(answer.json);
  expect(parsed.success, `not the typed error shape (${answer.status}): ${answer.text.slice(0, 300)}`).toBe(true);
  const error = parsed.data!.error;
  expect({ status: answer.status, code: error.code }).toEqual({
    status,
    code: code === undefined ? error.code : Array.isArray(code) ? expect.toSatisfy((c: string) => code.includes(c)) : code,
  });
  return error;
}
