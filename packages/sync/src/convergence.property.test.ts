// Property (invariants 1 and 2): three engines — two devices of one user and
// a second member — make random edits with random offline spells and sync
// points against the real stack; afterwards every mirror equals the server,
// and every acknowledged edit is on the server, superseded by another edit
// of the same field (or a delete), or waiting in a conflict.
//
// Seeded and shrinkable (fast-check). PACKSYNC_PROPERTY_SEED and
// PACKSYNC_PROPERTY_RUNS replay or widen a run, PACKSYNC_PROPERTY_OPS
// lengthens the op sequences (24 at most by default); the seed is printed.
// A deliberately broken engine (it drops the outbox head when a sync fails)
// must make the same property fail: that check stays in the suite.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncEngine } from './engine.ts';
import { closeDb, db, device, mirror, serverMirror, share, signIn, signUp, type Device, type TestUser } from './testing/harness.ts';

const FIELDS = ['packed', 'quantity', 'notes', 'name'] as const;
type Field = (typeof FIELDS)[number];
type Op =
  | { t: 'create'; d: number; name: string }
  | { t: 'update'; d: number; k: number; field: Field; value: unknown }
  | { t: 'delete'; d: number; k: number }
  | { t: 'offline' | 'online' | 'sync'; d: number };

const valueOf: Record<Field, fc.Arbitrary<unknown>> = {
  packed: fc.boolean(),
  quantity: fc.integer({ min: 0, max: 20 }),
  notes: fc.constantFrom('', 'blue', 'red', 'in the car'),
  name: fc.constantFrom('Socks', 'Hat', 'Map', 'Tent'),
};

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('create' as const), d: fc.nat(2), name: fc.constantFrom('Boots', 'Scarf', 'Book') }) },
  { weight: 5, arbitrary: fc.constantFrom(...FIELDS).chain((field) => fc.record({ t: fc.constant('update' as const), d: fc.nat(2), k: fc.nat(9), field: fc.constant(field), value: valueOf[field] })) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), d: fc.nat(2), k: fc.nat(9) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constantFrom('offline' as const, 'online' as const, 'sync' as const), d: fc.nat(2) }) },
);

type Ack = { i: number; d: number; t: 'create' | 'update' | 'delete'; row: string; field?: Field; value?: unknown };

interface World {
  devices: Device[];
  trip: string;
  stop(): Promise<void>;
}

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  alice = await signUp('prop-alice');
  bob = await signUp('prop-bob');
});
afterAll(closeDb);

/** Sabotage: after a failed sync, throw away the oldest queued change (what a careless engine does). */
function dropHeadOnError(engine: SyncEngine): SyncEngine {
  return new Proxy(engine, {
    get(target, key, receiver) {
      if (key !== 'syncNow') return Reflect.get(target, key, receiver);
      return async () => {
        const summary = await target.syncNow();
        if (summary.error) {
          const head = await target.db!.outbox.orderBy('seq').first();
          if (head) await target.db!.outbox.delete(head.seq);
        }
        return summary;
      };
    },
  });
}

async function world(broken: boolean): Promise<World> {
  const a = await device(alice.client);
  const b = await device(await signIn(alice));
  const c = await device(bob.client);
  const trip = await a.engine.create('trips', { name: 'Property' });
  await a.engine.syncNow();
  await share(a.engine, trip, { id: bob.id, engine: c.engine });
  await b.engine.syncNow();
  if (broken) b.engine = dropHeadOnError(b.engine);
  const devices = [a, b, c];
  return { devices, trip, stop: async () => { for (const d of devices) await d.engine.stop(); } };
}

/** PACKSYNC_PROPERTY_TRACE=1: every op, sync summary and the final state go to stderr (with ms since the run began). */
const tracing = !!process.env.PACKSYNC_PROPERTY_TRACE;
let traceStart = 0;
function trace(...parts: unknown[]): void {
  if (tracing) console.error(`[prop +${Math.round(performance.now() - traceStart)}ms]`, ...parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))));
}
const summaryOf = (s: { ok: boolean; pushed: number; pulled: number; conflicts: number; parked: number; error: { code: string } | null }) =>
  ({ ok: s.ok, pushed: s.pushed, pulled: s.pulled, conflicts: s.conflicts, parked: s.parked, error: s.error?.code ?? null });

async function run(w: World, ops: Op[]): Promise<Ack[]> {
  const acks: Ack[] = [];
  traceStart = performance.now();
  trace('ops', ops);
  for (const [i, op] of ops.entries()) {
    const d = w.devices[op.d]!;
    trace(`#${i}`, op);
    // Rows in the order the run created them, not by id: ids are random, so
    // ordering by id made a seed pick other rows on each replay (seed
    // 813578700 failed or passed by the draw of two UUIDs).
    const born = (id: string) => acks.findIndex((a) => a.t === 'create' && a.row === id);
    const items = (await d.engine.list('items', { trip_id: w.trip })).sort((x, y) => born(x.id) - born(y.id));
    switch (op.t) {
      case 'create':
        acks.push({ i, d: op.d, t: 'create', row: await d.engine.create('items', { trip_id: w.trip, name: op.name }) });
        break;
      case 'update': {
        const row = items[op.k % Math.max(1, items.length)];
        if (!row) break;
        await d.engine.update('items', row.id, { [op.field]: op.value });
        acks.push({ i, d: op.d, t: 'update', row: row.id, field: op.field, value: op.value });
        break;
      }
      case 'delete': {
        const row = items[op.k % Math.max(1, items.length)];
        if (!row) break;
        await d.engine.delete('items', row.id);
        acks.push({ i, d: op.d, t: 'delete', row: row.id });
        break;
      }
      case 'offline': d.net.set(false); break;
      case 'online': d.net.set(true); break;
      case 'sync': trace(`#${i} sync`, summaryOf(await d.engine.syncNow())); break;
    }
    if (op.t === 'create' || op.t === 'update' || op.t === 'delete') trace(`#${i} ack`, acks[acks.length - 1]?.i === i ? acks[acks.length - 1] : 'none');
  }
  return acks;
}

/** Online and idle: sync every device until a whole round changes nothing. */
async function quiesce(w: World): Promise<void> {
  for (const d of w.devices) d.net.set(true);
  for (let round = 0; round < 6; round++) {
    let moved = 0;
    for (const [n, d] of w.devices.entries()) {
      const s = await d.engine.syncNow();
      trace(`quiesce round ${round} device ${n}`, summaryOf(s));
      moved += s.pushed + s.pulled + s.conflicts;
    }
    if (moved === 0 && round > 0) return;
  }
}

async function check(w: World, acks: Ack[]): Promise<string | null> {
  const server = await serverMirror(w.trip);
  for (const [n, d] of w.devices.entries()) {
    const local = await mirror(d.engine, w.trip);
    if (!isDeepStrictEqual(local, server)) return `device ${n}'s mirror differs from the server: ${diff(local, server)}`;
    if ((await d.engine.outbox.list()).length) return `device ${n} still has queued changes`;
  }
  const rows = new Map(server.items!.map((r) => [r.id as string, r]));
  const conflicts = (await Promise.all(w.devices.map((d) => d.engine.conflicts.list()))).flat();
  const deleted = (row: string) => acks.some((a) => a.t === 'delete' && a.row === row);
  const inConflict = (row: string, field?: string) =>
    conflicts.some((c) => c.row_id === row && (field === undefined || c.fields.includes(field) || c.fields.includes('deleted_at')));
  for (const ack of acks) {
    const row = rows.get(ack.row);
    if (ack.t === 'create' && !row && !deleted(ack.row)) return `acknowledged create #${ack.i} is missing`;
    if (ack.t === 'delete' && row && !inConflict(ack.row)) return `acknowledged delete #${ack.i} did not happen`;
    if (ack.t === 'update') {
      if (!row) {
        if (!deleted(ack.row)) return `row of acknowledged update #${ack.i} vanished`;
        continue;
      }
      if (isDeepStrictEqual(row[ack.field!], ack.value)) continue;
      // By another edit of the field (any device, or later on this one), or
      // by this device's later delete of the row (a queued edit is folded
      // into the delete; if the delete meets someone's edit, its conflict
      // asks whether the row goes, and the delete's own check covers it).
      const superseded = acks.some((o) => o !== ack && o.row === ack.row &&
        ((o.t === 'update' && o.field === ack.field && (o.d !== ack.d || o.i > ack.i)) || (o.t === 'delete' && o.d === ack.d && o.i > ack.i)));
      if (!superseded && !inConflict(ack.row, ack.field)) return `acknowledged update #${ack.i} (${ack.field}=${JSON.stringify(ack.value)}) was lost`;
    }
  }
  return null;
}

/** Every device's items, outbox and conflicts and the server's items (traced when the check fails). */
async function traceState(w: World): Promise<void> {
  trace('server items', await serverMirror(w.trip).then((m) => m.items));
  const clients = await Promise.all(w.devices.map((d) => d.engine.db!.getMeta<string>('client_id')));
  for (const entry of await db()`select xid::text, seq, row_id, op, version, client_id, change_id, changed_fields, new_values
      from public.change_log where trip_id = ${w.trip} and entity = 'items' order by xid, seq`) {
    const device = clients.indexOf(entry.client_id as string);
    const values = entry.new_values as Record<string, unknown> | null;
    trace('log', { ...entry, client_id: device >= 0 ? `device ${device}` : entry.client_id,
      new_values: values && Object.fromEntries((entry.changed_fields as string[]).map((f) => [f, values[f]])) });
  }
  for (const [n, d] of w.devices.entries()) {
    trace(`device ${n} items`, await d.engine.list('items', { trip_id: w.trip }));
    trace(`device ${n} outbox`, await d.engine.outbox.list());
    trace(`device ${n} conflicts`, await d.engine.conflicts.list());
  }
}

function diff(local: Record<string, Record<string, unknown>[]>, server: Record<string, Record<string, unknown>[]>): string {
  for (const entity of Object.keys(server)) {
    const mine = new Map(local[entity]!.map((r) => [r.id, r]));
    for (const row of server[entity]!) {
      const other = mine.get(row.id);
      if (!other) return `${entity} ${String(row.id)} missing on the device`;
      const fields = Object.keys(row).filter((k) => !isDeepStrictEqual(row[k], other[k]));
      if (fields.length) return `${entity} ${String(row.id)}: ${fields.map((f) => `${f} device=${JSON.stringify(other[f])} server=${JSON.stringify(row[f])}`).join(', ')}`;
      mine.delete(row.id);
    }
    if (mine.size) return `${entity} ${[...mine.keys()].join()} only on the device`;
  }
  return 'same rows, different order';
}

const maxOps = Number(process.env.PACKSYNC_PROPERTY_OPS ?? 24);
// (fast-check draws short arrays by default; asked for longer ones, it spreads them up to the maximum)
const longer = process.env.PACKSYNC_PROPERTY_OPS ? { size: 'max' as const } : {};

function property(broken: boolean) {
  return fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: maxOps, ...longer }), async (ops) => {
    const w = await world(broken);
    try {
      const acks = await run(w, ops);
      await quiesce(w);
      const problem = await check(w, acks);
      if (problem && tracing) await traceState(w);
      if (problem) throw new Error(problem);
    } finally {
      await w.stop();
    }
  });
}

const seed = Number(process.env.PACKSYNC_PROPERTY_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.PACKSYNC_PROPERTY_RUNS ?? 6);

describe('convergence property', () => {
  it(`3 engines, random edits, offline spells and sync points converge on the server and lose no acknowledged edit (seed ${seed})`, async () => {
    console.log(`convergence property: seed=${seed} runs=${runs} (replay with PACKSYNC_PROPERTY_SEED=${seed})`);
    // First, seed 813578700's failure (found under load, then missed on a
    // replay by the draw of row ids): a queued notes edit folded into the
    // same device's delete, which meets another device's edit. The delete
    // waits in a conflict asking whether the row goes; the notes edit was
    // superseded by it, not lost.
    const editThenDelete: Op[] = [
      { t: 'create', d: 2, name: 'Scarf' }, { t: 'sync', d: 2 }, { t: 'update', d: 2, k: 0, field: 'notes', value: 'red' },
      { t: 'sync', d: 0 }, { t: 'update', d: 0, k: 0, field: 'quantity', value: 0 }, { t: 'delete', d: 2, k: 0 },
    ];
    await fc.assert(property(false), { seed, numRuns: runs, verbose: true, examples: [[editThenDelete]] });
  }, 600_000);

  it('a broken engine that drops the outbox head when a sync fails is caught by the same property', async () => {
    const brokenSeed = 20261201;
    // The first example is the case the sabotage targets (an edit made
    // offline, a sync that fails); random runs follow if it were not caught.
    const offlineEdit: Op[] = [{ t: 'offline', d: 1 }, { t: 'create', d: 1, name: 'Boots' }, { t: 'sync', d: 1 }, { t: 'online', d: 1 }];
    const result = await fc.check(property(true), { seed: brokenSeed, numRuns: 40, endOnFailure: true, examples: [[offlineEdit]] });
    console.log(`broken engine: failed=${result.failed} after ${result.numRuns} runs (seed ${brokenSeed}): ${String((result.errorInstance as Error | undefined)?.message ?? '')}`);
    expect(result.failed).toBe(true);
  }, 600_000);
});
