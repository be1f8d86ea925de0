// The full story of one lost edit, so a failure can be diagnosed from the
// run's output alone: the edit; every change that carried its value over the
// wire (change_id, base, the fault it met, the server's result, whether the
// answer arrived); where its outbox entry is now; the server's log for the
// row (with which change and which device wrote each version); and each
// device's row and conflicts.
import type postgres from 'postgres';
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
