// What went over the wire for each row, as the fault proxy saw it: every
// push change sent (change_id, base, fields, which fault the request met) and
// the result the server gave it (whether or not the answer reached the
// device); and every pull that brought the row (to which device, as what
// version, whether the answer arrived). The checker reads it to tell a lost
// edit's fate (never sent, sent and refused, applied and then undone, or
// answered as a conflict) and a divergent row's story.
import type { Decision } from './proxy.ts';

export interface WireChange {
  /** Order of the request among all requests through the proxy. */
  request: number;
  device: number | null;
  clientId: string;
  changeId: string;
  op: string;
  baseVersion: number | null;
  fields: Record<string, unknown>;
  fault: Decision['kind'];
  /** HTTP status the server answered (null: it never answered, e.g. the request was dropped). */
  status: number | null;
  /** The server's result for this change: status, version and conflict fields. */
  result: string | null;
  /** Whether the answer reached the device (drop_response and reset_mid_body lose it). */
  delivered: boolean;
}

/** One pull exchange (shared by the rows its answer brought). */
export interface WirePullRequest {
  request: number;
  /** Device that sent the pull (the `x-packsync-test-device` header the fault run's devices add); null: unknown. */
  device: number | null;
  /** The pull's cursor: a snapshot form (`v1:x:s:<trip>:…`) is a resync or a refetch; null: from the beginning. */
  cursor: string | null;
  /** Whether the pull left out the device's own pushes (`client_id` sent: the regular catch-up, not a refetch). */
  noEcho: boolean;
  fault: Decision['kind'];
  status: number | null;
  delivered: boolean;
}

/** A row as one pull answer brought it. */
export interface WirePull extends WirePullRequest {
  op: string;
  version: number | null;
  deleted: boolean;
}

/** Kept per row (a snapshot brings thousands of rows): the exchange is shared. */
type PulledRow = { pull: WirePullRequest; op: string; version: number | null; deleted: boolean };

export interface Exchange {
  request: number;
  /** Device that sent it (a request header of the fault run's devices); null: unknown. */
  device?: number | null;
  method: string;
  path: string;
  body: Buffer;
  fault: Decision['kind'];
  status: number | null;
  response: Buffer | null;
  delivered: boolean;
}

type PullBody = { cursor?: string | null; client_id?: string | null };
type PullAnswer = { changes?: { entity?: string; id?: string; op?: string; version?: number | null; row?: { deleted_at?: string | null } | null }[] };
type PushBody = { client_id?: string; changes?: { change_id?: string; id?: string; op?: string; base_version?: number | null; fields?: Record<string, unknown> }[] };
type PushAnswer = { results?: { change_id?: string; status?: string; version?: number | null; conflict?: { fields?: string[] } | null; error?: { code?: string } | null }[] };

export class WireLog {
  private readonly byRow = new Map<string, WireChange[]>();
  private readonly pullsByRow = new Map<string, PulledRow[]>();
  /**
   * Pull requests by cursor: the log; from the start (a first sync or a full
   * resync) and its later pages; a snapshot of one trip (a refetch) and its
   * later pages.
   */
  readonly pulls = { log: 0, from_start: 0, full_snapshot_page: 0, trip_snapshot: 0, snapshot_page_by_ordinary_pull: 0 };

  /** Called by the proxy once per exchange (also the failed ones); keeps pushes and pulls. */
  record(exchange: Exchange): void {
    if (exchange.path.includes('/sync/pull')) return this.recordPull(exchange);
    if (!exchange.path.includes('/sync/push')) return;
    const sent = parse<PushBody>(exchange.body);
    const answer = exchange.response && exchange.status === 200 ? parse<PushAnswer>(exchange.response) : null;
    const results = new Map((answer?.results ?? []).map((r) => [r.change_id, r]));
    for (const change of sent?.changes ?? []) {
      if (typeof change.id !== 'string' || typeof change.change_id !== 'string') continue;
      const r = results.get(change.change_id);
      const entry: WireChange = {
        request: exchange.request, device: exchange.device ?? null, clientId: String(sent?.client_id), changeId: change.change_id, op: String(change.op),
        baseVersion: change.base_version ?? null, fields: change.fields ?? {}, fault: exchange.fault, status: exchange.status,
        result: r ? `${r.status} v${r.version ?? '-'}${r.conflict?.fields ? ` on [${r.conflict.fields.join(',')}]` : ''}${r.error?.code ? ` (${r.error.code})` : ''}` : null,
        delivered: exchange.delivered,
      };
      let list = this.byRow.get(change.id);
      if (!list) this.byRow.set(change.id, (list = []));
      list.push(entry);
    }
  }

  private recordPull(exchange: Exchange): void {
    const sent = parse<PullBody>(exchange.body);
    const cursor = sent?.cursor ?? null;
    const kind = cursor === null ? 'from_start' : !/^v1:\d+:\d+:/.test(cursor) ? 'log' : cursor.endsWith(':1') ? 'full_snapshot_page' : 'trip_snapshot';
    this.pulls[kind]++;
    // A snapshot page asked for by the ordinary catch-up (it sends its client id; a refetch does not): a resync
    // that was cut off and taken up by the next pull, or a first sync or reset resync of several pages.
    if (kind !== 'log' && kind !== 'from_start' && sent?.client_id) this.pulls.snapshot_page_by_ordinary_pull++;
    const answer = exchange.response && exchange.status === 200 ? parse<PullAnswer>(exchange.response) : null;
    const pull: WirePullRequest = {
      request: exchange.request, device: exchange.device ?? null, cursor, noEcho: !!sent?.client_id,
      fault: exchange.fault, status: exchange.status, delivered: exchange.delivered,
    };
    for (const change of answer?.changes ?? []) {
      if (typeof change.id !== 'string') continue;
      const entry: PulledRow = { pull, op: String(change.op), version: change.version ?? null, deleted: change.op === 'delete' || !!change.row?.deleted_at };
      let list = this.pullsByRow.get(change.id);
      if (!list) this.pullsByRow.set(change.id, (list = []));
      list.push(entry);
    }
  }

  of(row: string): WireChange[] {
    return this.byRow.get(row) ?? [];
  }

  /** Pull answers that carried the row (all devices, in request order). */
  pullsOf(row: string): WirePull[] {
    return (this.pullsByRow.get(row) ?? []).map(({ pull, ...brought }) => ({ ...pull, ...brought }));
  }
}

function parse<T>(body: Buffer): T | null {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return null;
  }
}
