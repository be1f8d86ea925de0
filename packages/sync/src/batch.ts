// The next push batch: the oldest sendable outbox entries, FIFO, within the
// protocol's limits, and marked "handed to a push" in the same transaction.
// The mark is one number, `handed_through` in meta: every entry at or below
// it may have reached the server (entries a take skipped count too, which
// only costs them compaction). One write per batch instead of one per entry;
// an entry's own `attempts` is raised where a batch does not settle.
import { MAX_BODY_BYTES, MAX_CHANGES_PER_PUSH, type Change } from '@packsync/protocol';
import type { PacksyncDb } from './db.ts';
import type { OutboxEntry } from './types.ts';

export interface PushLimits {
  maxChanges: number;
  maxBytes: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = { maxChanges: MAX_CHANGES_PER_PUSH, maxBytes: MAX_BODY_BYTES };

/** Entries sent (or being applied) by an earlier batch of the same drain, and their rows (`entity:id`). */
export interface InFlight {
  seqs: Set<number>;
  rows: Set<string>;
}

export interface Batch {
  entries: OutboxEntry[];
  changes: Change[];
  /** The changes as JSON, in order (so the body is serialized once). */
  json: string[];
  /** The outbox's newest seq when the batch was taken (0 when empty): anything above it was queued later. */
  newestSeq: number;
  /** Some entry had been handed to a push before (a retry), so other entries of its row may predate the batch (set by takeBatch). */
  retried: boolean;
  /** Runs of the batch's seqs with no other entry between them when taken (new entries only come above `newestSeq`). */
  runs: [number, number][];
  /**
   * It stopped before the outbox's end: at a limit, or at a row already in it
   * or in flight. False: everything sendable when it was taken is in it (what
   * it left behind waits on a parked change), so a push need not look again.
   */
  more: boolean;
}

const NOTHING_IN_FLIGHT: InFlight = { seqs: new Set(), rows: new Set() };
const encoder = new TextEncoder();

/** May the server have this entry (so it must be sent as it is, never merged into)? */
export function wasHanded(entry: Pick<OutboxEntry, 'seq' | 'attempts'>, handedThrough: number): boolean {
  return entry.attempts > 0 || entry.seq <= handedThrough;
}

/** The handed-through mark; read it inside the transaction that decides. */
export async function handedThrough(db: PacksyncDb): Promise<number> {
  return (await db.getMeta<number>('handed_through')) ?? 0;
}

export const rowKey = (entry: Pick<OutboxEntry, 'entity' | 'row_id'>) => `${entry.entity}:${entry.row_id}`;

function toChange(entry: OutboxEntry): Change {
  return {
    change_id: entry.change_id, entity: entry.entity, op: entry.op, id: entry.row_id,
    base_version: entry.base_version, fields: entry.op === 'delete' ? {} : entry.fields,
  } as Change;
}

/** UTF-8 length without encoding when the text is ASCII (it nearly always is: ids, numbers, names). */
function byteLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/**
 * The next batch, FIFO: stops before a second change of a row already in it
 * or in flight (that one is based on the first one's result), and within the
 * count and byte limits. Changes queued behind a parked change of their row
 * wait with it. Reads the outbox in pages by key (one request per page, not
 * one per entry).
 */
export async function nextBatch(db: PacksyncDb, limits: PushLimits, inFlight: InFlight = NOTHING_IN_FLIGHT): Promise<Batch> {
  const batch: Batch = { entries: [], changes: [], json: [], newestSeq: 0, retried: false, runs: [], more: false };
  let run: [number, number] | null = null;
  const rows = new Set<string>();
  const blocked = new Set<string>();
  // Envelope `{"client_id":"<36>","changes":[]}` and a comma per change.
  let bytes = 64;
  let after = 0;
  const page = Math.max(16, limits.maxChanges + inFlight.seqs.size);
  for (let full = false; !full;) {
    const entries = await db.outbox.where('seq').above(after).limit(page).toArray();
    for (const entry of entries) {
      after = entry.seq;
      if (inFlight.seqs.has(entry.seq)) {
        run = null;
        continue;
      }
      const key = rowKey(entry);
      if (entry.parked || blocked.has(key)) {
        blocked.add(key);
        run = null;
        continue;
      }
      const change = toChange(entry);
      const json = JSON.stringify(change);
      const size = byteLength(json) + 1;
      if (batch.entries.length >= limits.maxChanges || rows.has(key) || inFlight.rows.has(key) || bytes + size > limits.maxBytes) {
        full = true;
        batch.more = true;
        break;
      }
      bytes += size;
      rows.add(key);
      batch.entries.push(entry);
      batch.changes.push(change);
      batch.json.push(json);
      if (run) run[1] = entry.seq;
      else batch.runs.push((run = [entry.seq, entry.seq]));
    }
    if (entries.length < page) break;
  }
  // Read to the end: the last entry read is the newest (takeBatch needs not ask).
  if (!batch.more) batch.newestSeq = after;
  return batch;
}

/**
 * Takes the next batch and marks it handed to a push, in one transaction: an
 * edit either lands before (and is in what is sent) or after (and queues
 * behind, since a sent entry is never merged into). Apart, an edit merged in
 * between would be marked sent without having been sent.
 */
export function takeBatch(db: PacksyncDb, limits: PushLimits, inFlight?: InFlight): Promise<Batch> {
  // Short: the mark and the outbox are read at once, and the newest seq is
  // known from the read unless it stopped early. Every edit waits for it
  // (it covers the outbox), and on the way to a push request it is the one
  // IndexedDB transaction between an edit and its request.
  return db.transaction('rw', db.outbox, db.meta, async () => {
    const [through, batch] = await Promise.all([handedThrough(db), nextBatch(db, limits, inFlight)]);
    batch.retried = batch.entries.some((e) => wasHanded(e, through));
    if (batch.entries.length === 0) return batch;
    const last = batch.entries[batch.entries.length - 1]!.seq;
    const [newest] = await Promise.all([
      batch.more ? db.outbox.orderBy(':id').lastKey() as Promise<number | undefined> : batch.newestSeq,
      last > through ? db.setMeta('handed_through', last) : undefined,
    ]);
    batch.newestSeq = newest ?? 0;
    return batch;
  });
}

/** A batch that did not settle (no answer, or one not applied): its entries count the attempt. */
export async function countAttempt(db: PacksyncDb, batch: Batch): Promise<void> {
  await db.transaction('rw', db.outbox, async () => {
    const current = await db.outbox.bulkGet(batch.entries.map((e) => e.seq));
    await db.outbox.bulkPut(current.filter((e): e is OutboxEntry => !!e).map((e) => ({ ...e, attempts: e.attempts + 1 })));
  });
}

/** The push body, from the changes serialized once. */
export function batchBody(clientId: string, batch: Batch): string {
  return `{"client_id":${JSON.stringify(clientId)},"changes":[${batch.json.join(',')}]}`;
}
