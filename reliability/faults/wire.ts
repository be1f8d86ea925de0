// What went over the wire for each row, as the fault proxy saw it: every
// push change sent (change_id, base, fields, which fault the request met) and
// the result the server gave it (whether or not the answer reached the
// device). The checker reads it to tell a lost edit's fate: never sent,
// sent and refused, applied and then undone, or answered as a conflict.
import type { Decision } from './proxy.ts';

export interface WireChange {
  /** Order of the request among all requests through the proxy. */
  request: number;
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

export interface Exchange {
  request: number;
  method: string;
  path: string;
  body: Buffer;
  fault: Decision['kind'];
  status: number | null;
  response: Buffer | null;
  delivered: boolean;
}

type PushBody = { client_id?: string; changes?: { change_id?: string; id?: string; op?: string; base_version?: number | null; fields?: Record<string, unknown> }[] };
type PushAnswer = { results?: { change_id?: string; status?: string; version?: number | null; conflict?: { fields?: string[] } | null; error?: { code?: string } | null }[] };

export class WireLog {
  private readonly byRow = new Map<string, WireChange[]>();

  /** Called by the proxy once per push exchange (also the failed ones). */
  record(exchange: Exchange): void {
    if (!exchange.path.includes('/sync/push')) return;
    const sent = parse<PushBody>(exchange.body);
    const answer = exchange.response && exchange.status === 200 ? parse<PushAnswer>(exchange.response) : null;
    const results = new Map((answer?.results ?? []).map((r) => [r.change_id, r]));
    for (const change of sent?.changes ?? []) {
      if (typeof change.id !== 'string' || typeof change.change_id !== 'string') continue;
      const r = results.get(change.change_id);
      const entry: WireChange = {
        request: exchange.request, clientId: String(sent?.client_id), changeId: change.change_id, op: String(change.op),
        baseVersion: change.base_version ?? null, fields: change.fields ?? {}, fault: exchange.fault, status: exchange.status,
        result: r ? `${r.status} v${r.version ?? '-'}${r.conflict?.fields ? ` on [${r.conflict.fields.join(',')}]` : ''}${r.error?.code ? ` (${r.error.code})` : ''}` : null,
        delivered: exchange.delivered,
      };
      let list = this.byRow.get(change.id);
      if (!list) this.byRow.set(change.id, (list = []));
      list.push(entry);
    }
  }

  of(row: string): WireChange[] {
    return this.byRow.get(row) ?? [];
  }
}

function parse<T>(body: Buffer): T | null {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return null;
  }
}
