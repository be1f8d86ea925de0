// The server's event stream (SSE read with fetch, since it needs headers):
// `ready` and `poke` make the engine pull; `closing` and any break make it
// reconnect — at once for `closing`, after a jittered backoff otherwise (so
// a restarting server is not stampeded). Never throws. Opened with the
// client id the device pushes with, so the server does not poke it about its
// own pushes (its pull would leave them out: a request for nothing).
import { createStreamParser } from '@packsync/protocol';
import { Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import type { Clock, Logger } from './collaborators.ts';
import { asSyncError } from './errors.ts';
import type { Transport } from './transport.ts';

export interface StreamDeps {
  transport: Transport;
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** The id this device pushes with (see `streamRequest`); without it, every change pokes. */
  clientId?: string;
  onReady(): void;
  onPoke(tripIds: string[] | null): void;
}

export class EventStream {
  private abort: AbortController | undefined;
  private timer: unknown = null;
  private stopped = true;
  private readonly backoff: Backoff;
  /** Connections opened so far (for tests and metrics). */
  connections = 0;
  /** Connected and `ready` seen: pokes will announce changes. */
  live = false;

  constructor(private readonly deps: StreamDeps) {
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, baseMs: 1000, random: deps.random });
  }

  start(): void {
    this.stopped = false;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.live = false;
    this.abort?.abort();
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    const { transport, logger } = this.deps;
    let reconnectNow = false;
    this.abort = new AbortController();
    try {
      const query = this.deps.clientId ? `?client_id=${encodeURIComponent(this.deps.clientId)}` : '';
      const response = await transport.get(`stream${query}`, this.abort.signal);
      this.connections++;
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parse = createStreamParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parse(value)) {
          if (event.event === 'ready') {
            this.live = true;
            this.backoff.reset();
            this.deps.onReady();
          } else if (event.event === 'poke') {
            this.deps.onPoke(event.data.trip_ids);
          } else {
            reconnectNow = true;
            logger.debug('stream_closing', { reason: event.data.reason });
          }
        }
      }
    } catch (error) {
      if (!this.stopped) logger.debug('stream_failed', { error: asSyncError(error).toJSON() });
    }
    this.live = false;
    if (this.stopped) return;
    const wait = reconnectNow ? 0 : this.backoff.next();
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      if (!this.stopped) void this.run();
    }, wait);
  }
}
