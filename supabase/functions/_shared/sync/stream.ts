// Pokes over Server-Sent Events. One LISTEN connection per function instance
// receives the change log's NOTIFY (sent at commit, payload
// `{"trip_ids": [...] | null, "xid": ..., "client_id": ... | null}`);
// notifications that arrive while a routing query runs are coalesced into the
// next one, so a write burst costs a few membership lookups, not one per
// write. A stream opened with a client id is not poked about writes only that
// client made through push (`client_id` in the NOTIFY): its pull would leave
// them out, so the poke would only cost a request that brings nothing.
import {
  encodeStreamEvent,
  MAX_STREAMS_PER_USER,
  PROTOCOL_VERSION,
  type StreamCloseReason,
  type StreamEvent,
} from '@packsync/protocol';
import type { UserClaims } from '../auth.ts';
import type { Clock } from '../clock.ts';
import type { SyncDb, Subscription } from '../db.ts';
import { rateLimited } from '../errors.ts';
import type { Logger } from '../log.ts';

export const CHANGES_CHANNEL = 'packsync_changes';

export interface StreamHubOptions {
  db: Pick<SyncDb, 'listen' | 'members' | 'watermark' | 'tripsOf'>;
  clock: Clock;
  logger: Logger;
  heartbeatMs?: number;
  maxStreamsPerUser?: number;
  /** CORS and other headers every response carries. */
  headers?: Record<string, string>;
  /**
   * Told of every stream with a promise that settles when it ends. On hosted
   * Supabase this is `EdgeRuntime.waitUntil`: an instance whose responses
   * have all been returned counts as idle and may be retired early, and an
   * SSE response is returned at once while its body streams on.
   */
  keepAlive?: (ended: Promise<void>) => void;
}

export type ListenerState = 'ok' | 'idle' | 'down';

interface OpenStream {
  userId: string;
  /** The client the stream serves, when it said (its own pushes poke it not). */
  clientId: string | null;
  send(event: StreamEvent): void;
  close(reason?: StreamCloseReason): void;
}

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': ping\n\n');
/** A reader this far behind (bytes queued) is dropped rather than buffered without bound. */
const MAX_QUEUED_BYTES = 64 * 1024;

export class StreamHub {
  private readonly streams = new Set<OpenStream>();
  /** Streams per user, counted from the moment `open` admits one (before any await). */
  private readonly perUser = new Map<string, number>();
  private subscription?: Promise<Subscription>;
  private connected = false;
  /** Trips to poke about, each with the clients that wrote them (null: a write outside push, or unsaid). */
  private pending = new Map<string, Set<string | null>>();
  /** Writers of the notifications that name no trips (`pendingXids`, `pendingAll`). */
  private pendingWriters = new Set<string | null>();
  private pendingAll = false;
  private readonly pendingXids = new Set<bigint>();
  private pendingXid = 0n;
  private flushing = false;
  private held: HeldPokes[] = [];
  private recheck: unknown;
  private recheckMs = RECHECK_MIN_MS;
  private readonly heartbeatMs: number;
  private readonly maxPerUser: number;

  constructor(private readonly options: StreamHubOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxPerUser = options.maxStreamsPerUser ?? MAX_STREAMS_PER_USER;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Poke batches waiting for the watermark (health shows it; tests wait on it). */
  get heldCount(): number {
    return this.held.length;
  }

  listenerState(): ListenerState {
    if (!this.subscription) return 'idle';
    return this.connected ? 'ok' : 'down';
  }

  /**
   * An SSE response for `claims`' user that lives until the client leaves,
   * the token expires or the hub closes. `onEnd` reports how it ended.
   */
  async open(claims: UserClaims, onEnd: (summary: { pokes: number; reason: string }) => void, clientId?: string): Promise<Response> {
    const userId = claims.sub;
    // Counted and admitted in one synchronous step: concurrent opens cannot
    // all pass the check while an earlier one is still awaiting below.
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.maxPerUser) {
      throw rateLimited('too_many_streams',
        `At most ${this.maxPerUser} streams per user: close another tab or device's stream first.`, 30);
    }
    this.perUser.set(userId, mine + 1);
    let admitted = true;
    const leave = () => {
      if (!admitted) return;
      admitted = false;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
    // Listening before `ready` is sent: a client that pulls on `ready` cannot
    // miss a commit between its pull and the first poke.
    try {
      await this.ensureListening();
    } catch (error) {
      leave();
      throw error;
    }

    const { clock } = this.options;
    let endedNow!: () => void;
    this.options.keepAlive?.(new Promise<void>((resolve) => (endedNow = resolve)));
    let pokes = 0;
    let heartbeat: unknown;
    let expiry: unknown;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;

    const stream: OpenStream = {
      userId,
      clientId: clientId ?? null,
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
      leave();
      endedNow?.();
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
    let message: { trip_ids?: unknown; xid?: unknown; client_id?: unknown } = {};
    try {
      message = JSON.parse(payload) ?? {};
    } catch {
      // unreadable: treat as "everyone pull"
    }
    let xid = 0n;
    try {
      xid = BigInt(String(message.xid ?? '0'));
    } catch {
      // no position: poke without waiting for the watermark
    }
    if (xid > this.pendingXid) this.pendingXid = xid;
    const writer = typeof message.client_id === 'string' ? message.client_id : null;
    if (Array.isArray(message.trip_ids)) {
      for (const id of message.trip_ids) {
        if (typeof id !== 'string') continue;
        const writers = this.pending.get(id) ?? new Set();
        writers.add(writer);
        this.pending.set(id, writers);
      }
    } else if (xid > 0n) {
      // Too many trips for one NOTIFY: which ones is read from the log.
      this.pendingXids.add(xid);
      this.pendingWriters.add(writer);
    } else {
      this.pendingAll = true;
      this.pendingWriters.add(writer);
    }
    void this.flush();
  }

  /** Ends every stream (`shutdown`) and the LISTEN. */
  async close(): Promise<void> {
    this.options.clock.clearTimeout(this.recheck);
    this.recheck = undefined;
    this.held = [];
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

  /** Drain the pending notifications: route them, then poke now or once pullable. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pendingAll || this.pending.size > 0 || this.pendingXids.size > 0) {
        const all = this.pendingAll;
        const writers = new Map(this.pending);
        const others = new Set(this.pendingWriters);
        const tripIds = [...writers.keys()];
        const xids = [...this.pendingXids];
        const xid = this.pendingXid;
        this.pendingAll = false;
        this.pending.clear();
        this.pendingWriters.clear();
        this.pendingXids.clear();
        this.pendingXid = 0n;
        // Read while the pokes are routed (the notifications are in, so it is
        // no older than their commits): one database round trip on the
        // poke's path instead of two.
        const watermark = xid > 0n && this.streams.size > 0 ? this.watermark() : Promise.resolve(0n);
        const unknown = all || (xids.length > 0 && !(await this.addTripsOf(xids, tripIds)));
        // Trips found in the log were written by the writers of the notifications that did not name them.
        for (const id of tripIds) if (!writers.has(id)) writers.set(id, others);
        const pokes = withoutOwnWrites(unknown ? this.everyone() : await this.route(tripIds), writers, others);
        if (pokes.size > 0) void this.release({ pokes, xid, since: this.options.clock.now() }, watermark);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Adds the trips the transactions `xids` wrote to `tripIds`; false when the log cannot say. */
  private async addTripsOf(xids: bigint[], tripIds: string[]): Promise<boolean> {
    try {
      for (const id of await this.options.db.tripsOf(xids)) if (!tripIds.includes(id)) tripIds.push(id);
      return true;
    } catch (error) {
      this.options.logger.log({ level: 'warn', route: 'stream', msg: 'poke trip lookup failed', error: String(error) });
      return false;
    }
  }

  private everyone(): Map<OpenStream, string[] | null> {
    return new Map([...this.streams].map((s) => [s, null]));
  }

  /** Which open streams may see `tripIds`, with the trips each may see. */
  private async route(tripIds: string[]): Promise<Map<OpenStream, string[] | null>> {
    const users = [...new Set([...this.streams].map((s) => s.userId))];
    if (users.length === 0) return new Map();
    let rows;
    try {
      rows = await this.options.db.members(tripIds, users);
    } catch (error) {
      // Cannot tell who may see it: poke everyone rather than lose a poke.
      this.options.logger.log({ level: 'warn', route: 'stream', msg: 'poke routing failed', error: String(error) });
      return this.everyone();
    }
    const byUser = new Map<string, string[]>();
    for (const { user_id, trip_id } of rows) {
      const list = byUser.get(user_id) ?? [];
      if (!list.includes(trip_id)) list.push(trip_id);
      byUser.set(user_id, list);
    }
    const pokes = new Map<OpenStream, string[] | null>();
    for (const s of this.streams) {
      const trips = byUser.get(s.userId);
      if (trips) pokes.set(s, trips);
    }
    return pokes;
  }

  /**
   * Pull serves a change only once every transaction older than it has
   * ended (the commit-safe watermark). A poke sent before that would make the
   * client pull nothing and then wait for a poke that never comes, so pokes
   * for a transaction still above the watermark are held and re-checked.
   */
  private async release(batch: HeldPokes, watermark: Promise<bigint>): Promise<void> {
    if (await this.visible(batch, watermark)) {
      this.deliver(batch);
      return;
    }
    this.held.push(batch);
    this.scheduleRecheck();
  }

  /** `watermark`: one read already under way (else one is read now). */
  private async visible(batch: HeldPokes, watermark?: Promise<bigint>): Promise<boolean> {
    return batch.xid === 0n || (await (watermark ?? this.watermark())) > batch.xid ||
      this.options.clock.now() - batch.since > MAX_HOLD_MS;
  }

  private deliver(batch: HeldPokes): void {
    for (const [s, trips] of batch.pokes) {
      if (trips === null) s.send({ event: 'poke', data: { trip_ids: null } });
      else for (let i = 0; i < trips.length; i += MAX_TRIPS_PER_POKE) {
        s.send({ event: 'poke', data: { trip_ids: trips.slice(i, i + MAX_TRIPS_PER_POKE) } });
      }
    }
  }

  /**
   * Held pokes look at the watermark again after RECHECK_MIN_MS, doubling
   * while none is released (up to RECHECK_MAX_MS): a long transaction holding
   * the horizon back costs a few queries, not one every 10 ms.
   */
  private scheduleRecheck(): void {
    if (this.recheck !== undefined || this.held.length === 0) return;
    this.recheck = this.options.clock.setTimeout(() => void this.releaseHeld(), this.recheckMs);
  }

  private async releaseHeld(): Promise<void> {
    const delivered = new Set<HeldPokes>();
    for (const batch of [...this.held]) {
      if (await this.visible(batch)) {
        this.deliver(batch);
        delivered.add(batch);
      }
    }
    this.held = this.held.filter((batch) => !delivered.has(batch));
    this.recheckMs = delivered.size === 0 && this.held.length > 0 ? Math.min(this.recheckMs * 2, RECHECK_MAX_MS) : RECHECK_MIN_MS;
    this.recheck = undefined;
    this.scheduleRecheck();
  }

  private async watermark(): Promise<bigint> {
    try {
      return await this.options.db.watermark();
    } catch {
      return BigInt(Number.MAX_SAFE_INTEGER) ** 2n; // unknown: do not hold pokes back
    }
  }
}

/** Is `clientId` the only writer in `writers`? (A write outside push, null, is nobody's own.) */
function onlyWriter(writers: Set<string | null>, clientId: string | null): boolean {
  if (clientId === null || writers.size === 0) return false;
  for (const w of writers) if (w !== clientId) return false;
  return true;
}

/**
 * The pokes less what each stream's own client wrote: a trip whose only
 * writer is the stream's client is dropped from its poke, and a poke about
 * "everything" (null) is dropped when that client wrote all of it.
 */
function withoutOwnWrites(pokes: Map<OpenStream, string[] | null>, writers: Map<string, Set<string | null>>,
  others: Set<string | null>): Map<OpenStream, string[] | null> {
  const out = new Map<OpenStream, string[] | null>();
  for (const [s, trips] of pokes) {
    if (trips === null) {
      const all = new Set([...others, ...[...writers.values()].flatMap((w) => [...w])]);
      if (!onlyWriter(all, s.clientId)) out.set(s, null);
      continue;
    }
    const left = trips.filter((id) => !onlyWriter(writers.get(id) ?? new Set([null]), s.clientId));
    if (left.length > 0) out.set(s, left);
  }
  return out;
}

interface HeldPokes {
  pokes: Map<OpenStream, string[] | null>;
  /** Newest transaction the pokes are about. */
  xid: bigint;
  since: number;
}

/** First and longest wait before held pokes look at the watermark again. */
const RECHECK_MIN_MS = 10;
const RECHECK_MAX_MS = 1000;
/** Most trip ids in one poke event; more go out as several events. */
export const MAX_TRIPS_PER_POKE = 100;
/** Longest a poke is held; past it the client is poked anyway. */
const MAX_HOLD_MS = 60_000;
