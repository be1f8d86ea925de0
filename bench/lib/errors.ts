/** Thrown by a measure that cannot run here; the run records why instead of a figure. */
export class MeasureSkipped extends Error {
  readonly retryable = false;
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MeasureSkipped';
  }
}
