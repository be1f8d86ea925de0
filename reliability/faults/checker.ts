// The end-of-run checks, once faults have stopped and every device has
// synced until idle:
//  - lost: an acknowledged edit that is not in the server state, was not
//    superseded (a later edit of the same field on its device, or a later
//    write on the server after it was written, or the row's deletion), and is
//    not a conflict its device shows;
//  - duplicated: a change_id applied more than once to a row (audit log);
//  - divergent: a device row that differs from the server's (or is missing
//    or extra);
//  - stuck: an outbox entry still waiting, or parked although the server
//    would accept it now; or a device signed out or paused for auth.
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { EntityName } from '../../packages/model/src/index.ts';
import type { Device } from './cluster.ts';
import { clientIds, traceDivergent, traceLost } from './trace.ts';
import type { WireLog } from './wire.ts';
import type { Ack } from './workload.ts';

export interface Problem {
  kind: 'lost' | 'duplicated' | 'divergent' | 'stuck';
  row: string;
  detail: string;
  /** For a lost edit: the edit. */
  ack?: Ack;
  /** For a divergent row: the device and the row's entity. */
  device?: number;
  entity?: EntityName;
}

export interface CheckResult {
  acked: number;
  present: number;
  superseded: number;
  conflicted: number;
  /** Acknowledged edits held in a parked outbox entry (shown to the user with its error). */
  parkedEdits: number;
  problems: Problem[];
  parked: number;
  openConflicts: number;
}

const ENTITIES: EntityName[] = ['trips', 'trip_members', 'people', 'items'];
/** Columns compared between a device and the server. */
const COMPARED: Record<string, string[]> = {
  trips: ['name', 'destination', 'version'],
  trip_members: ['user_id', 'role', 'version'],
  people: ['name', 'kind', 'version'],
  items: ['name', 'notes', 'packed', 'quantity', 'trip_id', 'version'],
};

type Row = Record<string, unknown> & { id: string };

async function serverRows(sql: postgres.Sql, entity: EntityName, tripIds: string[]): Promise<Map<string, Row>> {
  const column = entity === 'trips' ? 'id' : 'trip_id';
  const rows = await sql.unsafe(`select to_jsonb(t) as r from public.${entity} t where ${column} = any($1::uuid[])`, [tripIds]);
  return new Map(rows.map((x) => [(x.r as Row).id, x.r as Row]));
}

/** Every value each row's fields ever had on the server (from the audit log). */
async function writtenValues(sql: postgres.Sql, tripIds: string[]): Promise<Set<string>> {
  const rows = await sql`select row_id, kv.key, kv.value #>> '{}' as v
    from public.change_log l, jsonb_each(coalesce(l.new_values, '{}'::jsonb)) kv
    where l.trip_id = any(${tripIds}::uuid[]) and kv.key in ('name', 'notes', 'destination')`;
  return new Set(rows.map((r) => `${r.row_id}|${r.key}|${r.v}`));
}

export async function check(sql: postgres.Sql, devices: Device[], acks: Ack[], tripIds: string[], wire?: WireLog): Promise<CheckResult> {
  const problems: Problem[] = [];
  const server = new Map<EntityName, Map<string, Row>>();
  for (const entity of ENTITIES) server.set(entity, await serverRows(sql, entity, tripIds));
  const written = await writtenValues(sql, tripIds);
  const conflicts = await Promise.all(devices.map((d) => d.engine.conflicts.list()));
  const outboxes = await Promise.all(devices.map((d) => d.engine.outbox.list()));

  // Lost edits.
  let present = 0;
  let superseded = 0;
  let conflicted = 0;
  let parkedEdits = 0;
  for (const ack of acks) {
    const row = server.get(ack.entity)?.get(ack.row);
    const shown = conflicts[ack.device]!.some((c) => c.row_id === ack.row &&
      (ack.field === null || c.mine[ack.field] === ack.value || c.fields.includes('deleted_at')));
    const parked = outboxes[ack.device]!.some((e) => e.parked && e.row_id === ack.row &&
      (ack.field === null ? e.op === 'delete' : e.fields[ack.field] === ack.value));
    if (parked) {
      parkedEdits++;
      continue;
    }
    if (ack.field === null) {
      // Gone from the server either way: tombstoned, or never created (a create and its delete cancel out locally).
      if (!row || row.deleted_at) present++;
      else if (shown) conflicted++;
      else problems.push({ kind: 'lost', row: ack.row, ack, detail: `delete by device ${ack.device} (op ${ack.seq}) not on the server` });
      continue;
    }
    if (row && row[ack.field] === ack.value) present++;
    else if (row?.deleted_at) superseded++;
    else if (acks.some((a) => a.device === ack.device && a.row === ack.row && a.seq > ack.seq && (a.field === ack.field || a.field === null))) superseded++;
    else if (row && written.has(`${ack.row}|${ack.field}|${ack.value}`)) superseded++;
    else if (shown) conflicted++;
    else {
      problems.push({ kind: 'lost', row: ack.row, ack, detail: `${ack.entity}.${ack.field} = ${ack.value} by device ${ack.device} (op ${ack.seq}); ` +
        `server has ${row ? JSON.stringify(row[ack.field]) : 'no row'}; the device's conflicts on the row: ` +
        JSON.stringify(conflicts[ack.device]!.filter((c) => c.row_id === ack.row).map((c) => ({ fields: c.fields, mine: c.mine, state: c.state }))) });
    }
  }

  // Duplicated applications (the audit log).
  const dupes = await sql`select change_id, row_id, count(*)::int as n from public.change_log
    where trip_id = any(${tripIds}::uuid[]) and change_id is not null group by change_id, row_id having count(*) > 1`;
  for (const d of dupes) problems.push({ kind: 'duplicated', row: d.row_id as string, detail: `change ${d.change_id} applied ${d.n} times` });

  // Divergence and stuck outboxes.
  let parked = 0;
  for (const device of devices) {
    // A row with a parked change shows the user's version with its error: counted as parked (and stuck if the server would take it).
    const parkedRows = new Set(outboxes[device.index]!.filter((e) => e.parked).map((e) => e.row_id));
    for (const entity of ENTITIES) {
      const local = new Map((await device.engine.list(entity)).filter((r) => !parkedRows.has(r.id)).map((r) => [r.id, r as Row]));
      const visible = [...server.get(entity)!.values()].filter((r) => !r.deleted_at);
      for (const s of visible) {
        if (parkedRows.has(s.id)) continue;
        const l = local.get(s.id);
        if (!l) {
          problems.push({ kind: 'divergent', row: s.id, device: device.index, entity, detail: `device ${device.index} lacks ${entity} ${s.id}` });
          continue;
        }
        const differs = COMPARED[entity]!.filter((c) => JSON.stringify(l[c] ?? null) !== JSON.stringify(s[c] ?? null));
        if (differs.length > 0) {
          problems.push({ kind: 'divergent', row: s.id, device: device.index, entity, detail: `device ${device.index} ${entity} ${differs.map((c) => `${c}: ${JSON.stringify(l[c])} ≠ ${JSON.stringify(s[c])}`).join(', ')}` });
        }
        local.delete(s.id);
      }
      for (const extra of local.keys()) problems.push({ kind: 'divergent', row: extra, device: device.index, entity, detail: `device ${device.index} has ${entity} ${extra} the server does not show` });
    }
    // Signed out or paused for auth at the end (e.g. a refresh whose answer was lost left a rotated-away token): stuck.
    const { data } = await device.supabase.auth.getSession();
    const state = device.engine.status.get();
    if (!data.session || state.state === 'paused_auth') {
      problems.push({ kind: 'stuck', row: '-', detail: `device ${device.index} ended ${data.session ? state.state : 'signed out'} (${JSON.stringify(state.lastError)})` });
    }
    for (const entry of outboxes[device.index]!) {
      if (!entry.parked) {
        problems.push({ kind: 'stuck', row: entry.row_id, detail: `device ${device.index} outbox seq ${entry.seq} still waiting (${entry.attempts} attempts, ${entry.last_error?.code ?? 'no error'})` });
        continue;
      }
      parked++;
      if (await wouldAccept(sql, device.user.id, entry)) {
        problems.push({ kind: 'stuck', row: entry.row_id, detail: `device ${device.index} parked a change the server accepts (${entry.last_error?.code})` });
      }
    }
  }
  // The full story of the first few lost edits and divergent rows.
  const lost = problems.filter((x) => x.kind === 'lost').slice(0, 10);
  const divergent = problems.filter((x) => x.kind === 'divergent').slice(0, 10);
  const byClient = lost.length || divergent.length ? await clientIds(devices) : new Map<string, number>();
  for (const p of lost) p.detail += `\n${await traceLost(p.ack!, { sql, devices, wire, conflicts, outboxes }, byClient)}`;
  for (const p of divergent) p.detail += `\n${await traceDivergent(p.entity!, p.row, p.device!, { sql, devices, wire, conflicts, outboxes }, byClient)}`;
  return { acked: acks.length, present, superseded, conflicted, parkedEdits, problems, parked, openConflicts: conflicts.reduce((a, c) => a + c.length, 0) };
}

/** Sends the parked change again as its user, in a transaction that is rolled back. */
async function wouldAccept(sql: postgres.Sql, userId: string, entry: { entity: string; op: string; row_id: string; base_version: number | null; fields: Record<string, unknown> }): Promise<boolean> {
  const change = { change_id: randomUUID(), entity: entry.entity, op: entry.op, id: entry.row_id, base_version: entry.base_version, fields: entry.op === 'delete' ? null : entry.fields };
  let status = '';
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: 'authenticated' })}, true)`;
    const [r] = await tx`select public.push_changes(${randomUUID()}, ${tx.json([change] as never)}) as r`;
    status = (r!.r as { results: { status: string }[] }).results[0]!.status;
    throw new Rollback();
  }).catch((e) => { if (!(e instanceof Rollback)) throw e; });
  return status === 'applied' || status === 'merged';
}

class Rollback extends Error {}
