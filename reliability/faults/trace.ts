// The full story of one lost edit, so a failure can be diagnosed from the
// run's output alone: the edit; every change that carried its value over the
// wire (change_id, base, the fault it met, the server's result, whether the
// answer arrived); where its outbox entry is now; the server's log for the
// row (with which change and which device wrote each version); and each
// device's row and conflicts.
import type postgres from 'postgres';
import type { EntityName } from '../../packages/model/src/index.ts';
import type { Conflict, OutboxEntry } from '../../packages/sync/src/index.ts';
import type { Device } from './cluster.ts';
import type { WireLog } from './wire.ts';
import type { Ack } from './workload.ts';

export interface TraceInputs {
  sql: postgres.Sql;
  devices: Device[];
  wire: WireLog | undefined;
  conflicts: Conflict[][];
  outboxes: OutboxEntry[][];
}

/** Device index by client id (a device keeps its client id across reloads: it lives in its IndexedDB). */
export async function clientIds(devices: Device[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const d of devices) {
    const id = await d.engine.db?.getMeta<string>('client_id');
    if (id) out.set(id, d.index);
  }
  return out;
}

export async function traceLost(ack: Ack, inputs: TraceInputs, devicesByClient: Map<string, number>): Promise<string> {
  const { sql, devices, wire, conflicts, outboxes } = inputs;
  const who = (clientId: string | null) => (clientId && devicesByClient.has(clientId) ? `device ${devicesByClient.get(clientId)}` : `client ${clientId ?? '-'}`);
  const carries = (fields: Record<string, unknown>, op: string) => (ack.field === null ? op === 'delete' : fields[ack.field] === ack.value);
  const lines: string[] = [];

  const sent = (wire?.of(ack.row) ?? []).filter((w) => carries(w.fields, w.op) && devicesByClient.get(w.clientId) === ack.device);
  const carriers = new Set(sent.map((w) => w.changeId));
  lines.push(sent.length === 0
    ? 'wire: no push from the device ever carried this value'
    : `wire: ${sent.map((w) => `#${w.request} change ${w.changeId.slice(0, 8)} base v${w.baseVersion ?? '-'} [${Object.keys(w.fields).join(',')}] ${w.fault}` +
      ` → ${w.status ?? 'no answer'} ${w.result ?? ''}${w.delivered ? '' : ' (answer lost)'}`).join(' | ')}`);
  const others = (wire?.of(ack.row) ?? []).filter((w) => !carriers.has(w.changeId) && w.status === 200 && w.result);
  if (others.length) {
    lines.push(`wire, other changes of the row answered: ${others.map((w) => `#${w.request} ${who(w.clientId)} ${w.changeId.slice(0, 8)} base v${w.baseVersion ?? '-'} [${Object.keys(w.fields).join(',')}] → ${w.result}`).join(' | ')}`);
  }

  const queued = outboxes[ack.device]!.filter((e) => e.row_id === ack.row);
  lines.push(`outbox of device ${ack.device} for the row now: ${queued.length === 0 ? 'empty' : queued.map((e) =>
    `seq ${e.seq} ${e.change_id.slice(0, 8)} ${e.op} base v${e.base_version ?? '-'} [${Object.keys(e.fields).join(',')}] attempts ${e.attempts}${e.parked ? ` parked (${e.last_error?.code})` : ''}`).join(' | ')}`);

  const log = await sql`select version, op, changed_fields, change_id::text, client_id::text, new_values
    from public.change_log where row_id = ${ack.row} order by xid, seq`;
  lines.push(`server log: ${log.map((l) => `v${l.version} ${l.op} [${(l.changed_fields as string[]).join(',')}] by ${who(l.client_id as string | null)}` +
    ` change ${String(l.change_id ?? '-').slice(0, 8)}${carriers.has(l.change_id as string) ? ' (CARRIED THE EDIT)' : ''}` +
    `${ack.field && (l.changed_fields as string[]).includes(ack.field) ? ` ${ack.field}=${JSON.stringify((l.new_values as Record<string, unknown> | null)?.[ack.field])}` : ''}`).join(' | ')}`);

  for (const device of devices) {
    const row = await device.engine.get(ack.entity, ack.row).catch(() => undefined);
    const shown = conflicts[device.index]!.filter((c) => c.row_id === ack.row);
    lines.push(`device ${device.index}: ${row ? `v${row.version}${ack.field ? ` ${ack.field}=${JSON.stringify(row[ack.field])}` : ''}` : 'no row'}` +
      `${shown.length ? `; conflicts ${JSON.stringify(shown.map((c) => ({ fields: c.fields, mine: c.mine, state: c.state })))}` : ''}`);
  }
  return lines.map((l) => `      ${l}`).join('\n');
}

/**
 * The story of a row one device shows differently from the server (or shows
 * though the server deleted it, or lacks): the server's row and log; what
 * the device holds (its view, shadow, tombstone, outbox entries, conflicts,
 * cursor); every push of the row by any device with its result; and every
 * pull answer that brought the row to this device (as which version, from a
 * log cursor or a snapshot, with or without its own pushes left out).
 */
export async function traceDivergent(entity: EntityName, row: string, deviceIndex: number, inputs: TraceInputs,
  devicesByClient: Map<string, number>): Promise<string> {
  const { sql, devices, wire, conflicts, outboxes } = inputs;
  const who = (clientId: string | null) => (clientId && devicesByClient.has(clientId) ? `device ${devicesByClient.get(clientId)}` : `client ${clientId ?? '-'}`);
  const lines: string[] = [];
  const brief = (r: Record<string, unknown> | null | undefined) => (r
    ? `v${String(r.version)}${r.deleted_at ? ' deleted' : ''} ${JSON.stringify(Object.fromEntries(['name', 'notes', 'packed', 'quantity'].filter((k) => k in r).map((k) => [k, r[k]])))}`
    : 'none');

  const [server] = await sql.unsafe(`select to_jsonb(t) as r from public.${entity} t where id = $1`, [row]);
  lines.push(`server row: ${brief(server?.r as Record<string, unknown> | undefined)}`);
  const log = await sql`select version, op, changed_fields, change_id::text, client_id::text, xid::text as txid
    from public.change_log where row_id = ${row} order by xid, seq`;
  lines.push(`server log: ${log.map((l) => `v${l.version} ${l.op} [${(l.changed_fields as string[]).join(',')}] by ${who(l.client_id as string | null)}` +
    ` change ${String(l.change_id ?? '-').slice(0, 8)} xid ${l.txid}`).join(' | ')}`);

  const device = devices[deviceIndex]!;
  const db = device.engine.db;
  if (db) {
    const [view, shadow, tombstone, cursor, through] = await Promise.all([
      db.entity(entity).get(row), db.shadows.get([entity, row]), db.tombstones.get([entity, row]),
      db.getMeta<string>('cursor'), db.getMeta<number>('handed_through'),
    ]);
    lines.push(`device ${deviceIndex}: view ${brief(view)}; shadow ${shadow ? `server row ${brief(shadow.row)}` : 'none'}; ` +
      `tombstone ${tombstone ? brief(tombstone.row) : 'none'}; cursor ${cursor ?? '-'}; handed through seq ${through ?? 0}`);
  }
  const queued = outboxes[deviceIndex]!.filter((e) => e.row_id === row);
  lines.push(`outbox of device ${deviceIndex} for the row: ${queued.length === 0 ? 'empty' : queued.map((e) =>
    `seq ${e.seq} ${e.change_id.slice(0, 8)} ${e.op} base v${e.base_version ?? '-'} [${Object.keys(e.fields).join(',')}] attempts ${e.attempts}${e.parked ? ` parked (${e.last_error?.code})` : ''}`).join(' | ')}`);
  const shown = conflicts[deviceIndex]!.filter((c) => c.row_id === row);
  if (shown.length) lines.push(`conflicts on device ${deviceIndex}: ${JSON.stringify(shown.map((c) => ({ fields: c.fields, mine: c.mine, state: c.state, server_version: c.server_version })))}`);

  // (the last few: a change retried through a restart is sent many times)
  const pushes = (wire?.of(row) ?? []).slice(-24);
  lines.push(`wire, pushes of the row: ${pushes.length === 0 ? 'none' : pushes.map((w) => `#${w.request} device ${w.device ?? who(w.clientId)} ${w.changeId.slice(0, 8)} ${w.op}` +
    ` base v${w.baseVersion ?? '-'} [${Object.keys(w.fields).join(',')}] ${w.fault} → ${w.status ?? 'no answer'} ${w.result ?? ''}${w.delivered ? '' : ' (answer lost)'}`).join(' | ')}`);
  const pulls = (wire?.pullsOf(row) ?? []).filter((p) => p.device === deviceIndex).slice(-24);
  lines.push(`wire, pulls that brought the row to device ${deviceIndex}: ${pulls.length === 0 ? 'none' : pulls.map((p) => `#${p.request} ` +
    `${p.cursor === null ? 'from the start' : /^v1:\d+:\d+:/.test(p.cursor) ? 'snapshot' : 'log'}${p.noEcho ? '' : ' (own pushes included)'}` +
    ` ${p.op} v${p.version ?? '-'}${p.deleted ? ' deleted' : ''} ${p.fault}${p.delivered ? '' : ' (answer lost)'}`).join(' | ')}`);
  return lines.map((l) => `      ${l}`).join('\n');
}
