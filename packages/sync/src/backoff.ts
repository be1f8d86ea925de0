// Exponential backoff with full jitter (a random wait in [0, min(cap, base·2^n)]),
// so clients that failed together do not retry together. A server's
// Retry-After is a floor. Reset after a success.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: Omit<BackoffOptions, 'random'> = { baseMs: 500, capMs: 60_000 };

export class Backoff {
  private failures = 0;
  constructor(private readonly options: BackoffOptions) {}

  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next try after one more failure. */
  next(retryAfterMs?: number): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const jittered = Math.floor(this.options.random() * ceiling);
    return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
  }

  reset(): void {
    this.failures = 0;
  }
}
