// The users' side of a fault run: each device runs its own seeded sequence
// of edits, syncs, offline spells and reloads, concurrently with the others.
// Every edit the engine acknowledged (the call resolved: durable locally) is
// recorded with a value no other edit uses, so the checker can follow it.
import type { EntityName } from '../../packages/model/src/index.ts';
import type { Device } from './cluster.ts';
import type { Rng } from './rng.ts';

export const OP_KINDS = [
  'create_item', 'rename_item', 'note_item', 'pack_item', 'delete_item', 'destination', 'create_person', 'sync', 'offline', 'online', 'reload',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** One acknowledged edit of a tracked field (or a delete: field null). */
export interface Ack {
  seq: number;
  device: number;
  entity: EntityName;
  row: string;
  field: string | null;
  value: string | null;
}

export interface HistoryEvent {
  seq: number;
  device: number;
  kind: OpKind | 'restart';
  row?: string;
  detail?: string;
  ok: boolean;
}

export interface History {
  acks: Ack[];
  events: HistoryEvent[];
  next(): number;
}

export function newHistory(): History {
  let seq = 0;
  return { acks: [], events: [], next: () => seq++ };
}

const WEIGHTS: [OpKind, number][] = [
  ['create_item', 20], ['rename_item', 18], ['note_item', 8], ['pack_item', 10], ['delete_item', 3], ['destination', 4],
  ['create_person', 3], ['sync', 10], ['offline', 2], ['reload', 1.5],
];
const TOTAL = WEIGHTS.reduce((a, [, w]) => a + w, 0);

function pickKind(random: Rng, offline: boolean): OpKind {
  if (offline && random.chance(0.15)) return 'online';
  let x = random.next() * TOTAL;
  for (const [kind, weight] of WEIGHTS) {
    x -= weight;
    if (x < 0) return kind === 'offline' && offline ? 'sync' : kind;
  }
  return 'sync';
}

/** Runs one op on the device and records it. Errors of an op are recorded, never thrown: a refused edit is simply not acknowledged. */
export async function runOp(device: Device, random: Rng, trips: string[], history: History, stop: () => boolean): Promise<void> {
  const kind = pickKind(random, !device.net.online());
  const seq = history.next();
  const unique = `${kind}:d${device.index}:${seq}`;
  const engine = device.engine;
  const ack = (entity: EntityName, row: string, field: string | null, value: string | null) =>
    history.acks.push({ seq, device: device.index, entity, row, field, value });
  let row: string | undefined;
  try {
    switch (kind) {
      case 'create_item': {
        const trip = random.pick(trips);
        row = await engine.create('items', { trip_id: trip, name: unique, quantity: random.int(1, 5) });
        ack('items', row, 'name', unique);
        break;
      }
      case 'rename_item':
      case 'note_item':
      case 'pack_item':
      case 'delete_item': {
        const items = await engine.list('items');
        if (items.length === 0) break;
        row = random.pick(items).id;
        if (kind === 'rename_item') {
          await engine.update('items', row, { name: unique });
          ack('items', row, 'name', unique);
        } else if (kind === 'note_item') {
          await engine.update('items', row, { notes: unique });
          ack('items', row, 'notes', unique);
        } else if (kind === 'pack_item') {
          await engine.update('items', row, { packed: random.chance(0.5) });
        } else {
          await engine.delete('items', row);
          ack('items', row, null, null);
        }
        break;
      }
      case 'destination': {
        row = random.pick(trips);
        await engine.update('trips', row, { destination: unique });
        ack('trips', row, 'destination', unique);
        break;
      }
      case 'create_person': {
        row = await engine.create('people', { trip_id: random.pick(trips), name: unique, kind: 'adult' });
        ack('people', row, 'name', unique);
        break;
      }
      case 'sync':
        await engine.syncNow();
        break;
      case 'offline':
        device.net.set(false);
        break;
      case 'online':
        device.net.set(true);
        break;
      case 'reload':
        if (!stop()) await device.reload();
        break;
    }
    history.events.push({ seq, device: device.index, kind, ...(row ? { row } : {}), ok: true });
  } catch (error) {
    history.events.push({ seq, device: device.index, kind, ...(row ? { row } : {}), ok: false, detail: String((error as Error)?.message ?? error).slice(0, 200) });
  }
}
