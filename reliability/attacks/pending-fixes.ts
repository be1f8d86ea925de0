// Attack tests whose fix is not on this branch yet (issue #14, other
// branches). They stay out of the default run only while listed here, and the
// run says so: each is registered as a skipped test named after this list.
// `PACKSYNC_PENDING_FIXES=1` runs them anyway (they are expected to fail
// until their fix lands). Remove an entry as soon as its fix is merged.
import { it } from 'vitest';

export const pendingFixes: Record<string, string> = {
  // Landed on main by 03:20 and checked after merging it: #14.3, #14.4, #14.7, #14.8, #14.9, #14.10, transient failures.
};

const runPending = process.env.PACKSYNC_PENDING_FIXES === '1';

/** Whether a fix is still pending and not requested: fuzzers leave out the inputs it is about. */
export function isPending(id: string): boolean {
  return pendingFixes[id] !== undefined && !runPending;
}

/** `it`, unless the test is listed as waiting for a fix and pending fixes are not requested. */
export function attack(id: string, name: string, test: () => Promise<void>, timeout?: number): void {
  const fix = pendingFixes[id];
  if (fix === undefined || runPending) {
    it(fix === undefined ? name : `${name} [pending fix ${fix}]`, test, timeout);
    return;
  }
  it.skip(`${name} [pending fix ${fix}: listed in reliability/attacks/pending-fixes.ts; PACKSYNC_PENDING_FIXES=1 runs it]`, test);
}
