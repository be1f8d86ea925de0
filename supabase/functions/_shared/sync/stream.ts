// Pokes over Server-Sent Events. One LISTEN connection per function instance
// receives the change log's NOTIFY (sent at commit, payload
// `{"trip_ids": [...] | null, "xid": ...}`); notifications that arrive while
// a routing query runs are coalesced into the next one, so a write burst
// costs a few membership lookups, not one per write.
import {
  encodeStreamEvent,
  MAX_STREAMS_PER_USER,
  PROTOCOL_VERSION,
  type StreamCloseReason,
  type StreamEvent,
} from '../../../../packages/protocol/src/index.ts';
import type { UserClaims } from '../auth.ts';
import type { Clock } from '../clock.ts';
import type { SyncDb, Subscription } from '../db.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../log.ts';

export const CHANGES_CHANNEL = 'packsync_changes';

export interface StreamHubOptions {
  db: Pick<SyncDb, 'listen' | 'members'>;
  clock: Clock;
  logger: Logger;
  heartbeatMs?: number;
  maxStreamsPerUser?: number;
  /** CORS and other headers every response carries. */
  headers?: Record<string, string>;
}

export type ListenerState = 'ok' | 'idle' | 'down';

interface OpenStream {
  userId: string;
  send(event: StreamEvent): void;
  close(reason?: StreamCloseReason): void;
}

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': ping\n\n');
/** A reader this far behind (bytes queued) is dropped rather than buffered without bound. */
const MAX_QUEUED_BYTES = 64 * 1024;

export class StreamHub {
  private readonly streams = new Set<OpenStream>();
  private subscription?: Promise<Subscription>;
  private connected = false;
  private pending = new Set<string>();
  private pendingAll = false;
  private flushing = false;
  private readonly heartbeatMs: number;
  private readonly maxPerUser: number;

  constructor(private readonly options: StreamHubOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxPerUser = options.maxStreamsPerUser ?? MAX_STREAMS_PER_USER;
  }

  get size(): number {
    return this.streams.size;
  }

  listenerState(): ListenerState {
    if (!this.subscription) return 'idle';
    return this.connected ? 'ok' : 'down';
  }

  /**
   * An SSE response for `claims`' user that lives until the client leaves,
   * the token expires or the hub closes. `onEnd` reports how it ended.
   */
  async open(claims: UserClaims, onEnd: (summary: { pokes: number; reason: string }) => void): Promise<Response> {
    const userId = claims.sub;
    let mine = 0;
    for (const s of this.streams) if (s.userId === userId) mine++;
    if (mine >= this.maxPerUser) {
      throw new SyncError(429, 'validation', 'too_many_streams',
        `At most ${this.maxPerUser} streams per user: close another tab or device's stream first.`, true, 30);
    }
    // Listening before `ready` is sent: a client that pulls on `ready` cannot
    // miss a commit between its pull and the first poke.
    await this.ensureListening();

    const { clock } = this.options;
    let pokes = 0;
    let heartbeat: unknown;
    let expiry: unknown;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;

    const stream: OpenStream = {
      userId,
      send: (event) => {
        if (ended) return;
        if (event.event === 'poke') pokes++;
        write(encoder.encode(encodeStreamEvent(event)));
      },
      close: (reason) => {
        if (ended) return;
        if (reason) write(encoder.encode(encodeStreamEvent({ event: 'closing', data: { reason } })));
        finish(reason ?? 'server');
        try {
          controller.close();
        } catch {
          // already closed by the reader
        }
      },
    };

    const write = (bytes: Uint8Array) => {
      if (ended) return;
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
        finish('slow_reader');
        controller.error(new Error('slow reader'));
        return;
      }
      controller.enqueue(bytes);
    };

    const finish = (reason: string) => {
      if (ended) return;
      ended = true;
      clock.clearTimeout(heartbeat);
      clock.clearTimeout(expiry);
      this.streams.delete(stream);
      onEnd({ pokes, reason });
    };

    const beat = () => {
      write(HEARTBEAT);
      heartbeat = clock.setTimeout(beat, this.heartbeatMs);
    };

    const expiresAt = claims.exp * 1000;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        this.streams.add(stream);
        stream.send({ event: 'ready', data: { protocol_version: PROTOCOL_VERSION, heartbeat_ms: this.heartbeatMs, expires_at: expiresAt } });
        heartbeat = clock.setTimeout(beat, this.heartbeatMs);
        expiry = clock.setTimeout(() => stream.close('token_expired'), Math.max(0, expiresAt - clock.now()));
      },
      cancel: () => finish('client_closed'),
    }, { highWaterMark: MAX_QUEUED_BYTES, size: (chunk) => chunk.byteLength });

    return new Response(body, {
      status: 200,
      headers: {
        ...this.options.headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  /** A raw NOTIFY payload from the change log. Exposed for tests. */
  notify(payload: string): void {
    let tripIds: unknown;
    try {
      tripIds = (JSON.parse(payload) as { trip_ids?: unknown }).trip_ids;
    } catch {
      tripIds = null;
    }
    if (Array.isArray(tripIds)) {
      for (const id of tripIds) if (typeof id === 'string') this.pending.add(id);
    } else {
      this.pendingAll = true;
    }
    void this.flush();
  }

  /** Ends every stream (`shutdown`) and the LISTEN. */
  async close(): Promise<void> {
    for (const s of [...this.streams]) s.close('shutdown');
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await subscription.then((s) => s.unlisten()).catch(() => {});
  }

  private ensureListening(): Promise<Subscription> {
    if (!this.subscription) {
      this.subscription = this.options.db
        .listen(CHANGES_CHANNEL, (payload) => this.notify(payload), () => {
          // On a reconnect notifications may have been lost: everyone pulls.
          if (this.connected) this.pokeAll();
          this.connected = true;
        })
        .catch((error) => {
          this.subscription = undefined;
          this.connected = false;
          throw error;
        });
    }
    return this.subscription;
  }

  private pokeAll(): void {
    for (const s of this.streams) s.send({ event: 'poke', data: { trip_ids: null } });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pendingAll || this.pending.size > 0) {
        if (this.pendingAll) {
          this.pendingAll = false;
          this.pending.clear();
          this.pokeAll();
          continue;
        }
        const tripIds = [...this.pending];
        this.pending.clear();
        const users = [...new Set([...this.streams].map((s) => s.userId))];
        if (users.length === 0) continue;
        let rows;
        try {
          rows = await this.options.db.members(tripIds, users);
        } catch (error) {
          // Cannot tell who may see it: poke everyone rather than lose a poke.
          this.options.logger.log({ level: 'warn', route: 'stream', msg: 'poke routing failed', error: String(error) });
          this.pokeAll();
          continue;
        }
        const byUser = new Map<string, string[]>();
        for (const { user_id, trip_id } of rows) {
          const list = byUser.get(user_id) ?? [];
          if (!list.includes(trip_id)) list.push(trip_id);
          byUser.set(user_id, list);
        }
        for (const s of this.streams) {
          const trips = byUser.get(s.userId);
          if (trips) s.send({ event: 'poke', data: { trip_ids: trips } });
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
