// A fast-check reporter for cases with large bodies: the seed, the path to
// replay and the shrunk counterexample, cut to a readable length.
import type fc from 'fast-check';

const MAX = 3000;

export function shortReporter<T>(name: string, replay: (seed: number, path: string) => string) {
  return (details: fc.RunDetails<T>): void => {
    if (!details.failed) return;
    const example = JSON.stringify(details.counterexample) ?? '';
    const cut = example.length > MAX ? `${example.slice(0, MAX)}… (${example.length} characters)` : example;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${name} failed after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s); ` +
      `replay: ${replay(details.seed, details.counterexamplePath ?? '')}\n` +
      `${cause.length > MAX ? `${cause.slice(0, MAX)}…` : cause}\ncounterexample: ${cut}`);
  };
}
