/** The variants in the order of round r: each round starts one later, so none always runs first or last. */
export function rotate<T>(variants: readonly T[], round: number): T[] {
  const n = variants.length;
  return variants.map((_, i) => variants[(i + round) % n] as T);
}
