// ConflictResolver: what to do with a `conflict` push result. The server has
// decided there IS a conflict (SQL is the truth for that); here the client
// decides per field, by policy, whose value to keep. What a policy settles is
// sent as a new change based on the server's version; fields of the change
// that were not in dispute are re-sent the same way; the rest waits in
// `conflicts` until the user resolves it.
import type { EntityName } from '@packsync/model';
import type { PushResult } from '@packsync/protocol';
import type { Clock } from './collaborators.ts';
import type { PacksyncDb } from './db.ts';
import type { Conflict, ConflictPolicies, ConflictPolicy, OutboxEntry, Row } from './types.ts';

export const DEFAULT_POLICIES: ConflictPolicies = {
  items: { packed: 'true_wins', quantity: 'larger_wins', name: 'theirs_offer_mine', category: 'theirs_offer_mine', notes: 'ask' },
};

/** How sure an automatic answer is, per policy (the conflict's confidence is its least sure field). */
const CONFIDENCE: Record<ConflictPolicy, number> = {
  true_wins: 1, larger_wins: 1, mine: 0.9, theirs: 0.9, theirs_offer_mine: 0.6, ask: 0.3,
};

export interface ResolverDeps {
  db: PacksyncDb;
  clock: Clock;
  uuid(): string;
  policies?: ConflictPolicies;
  onDetected?(entity: EntityName, policy: Record<string, ConflictPolicy>): void;
  onResolved?(entity: EntityName, policy: ConflictPolicy): void;
}

export class ConflictResolver {
  private readonly policies: ConflictPolicies;

  constructor(private readonly deps: ResolverDeps) {
    this.policies = mergePolicies(DEFAULT_POLICIES, deps.policies ?? {});
  }

  policyOf(entity: EntityName, field: string): ConflictPolicy {
    return this.policies[entity]?.[field] ?? 'ask';
  }

  /** Runs inside the push-result transaction; `later` are the row's edits queued behind this one. */
  async onConflict(entry: OutboxEntry, result: PushResult, server: Row | null, later: OutboxEntry[]): Promise<void> {
    const { db, clock } = this.deps;
    const report = result.conflict;
    const disputed = report?.fields ?? [];
    const tombstoned = !server || !!server.deleted_at;
    const laterKeys = new Set(later.flatMap((e) => (e.op === 'delete' ? ['*'] : Object.keys(e.fields))));
    if (laterKeys.has('*')) return; // the user deleted the row since: that change speaks for them

    if (tombstoned) {
      // Someone deleted the row: their delete wins; the user keeps their
      // version only by creating it again (the conflict centre offers it).
      await this.record(entry, disputed.length ? disputed : ['deleted_at'], report?.base ?? null, entry.fields,
        server, { deleted_at: 'theirs_offer_mine' }, 'offered', server);
      this.deps.onResolved?.(entry.entity, 'theirs');
      return;
    }

    if (entry.op === 'delete') {
      // We deleted, they edited: the user decides whether the row goes.
      await this.record(entry, disputed, report?.base ?? null, { deleted_at: 'deleted' }, server,
        Object.fromEntries(disputed.map((f) => [f, 'ask' as const])), 'open', server);
      return;
    }

    const mine = report?.client ?? entry.fields;
    const theirs = report?.server ?? {};
    const resend: Record<string, unknown> = {};
    // Fields nobody else touched go through again as they were.
    for (const [field, value] of Object.entries(entry.fields)) if (!disputed.includes(field)) resend[field] = value;
    const policy: Record<string, ConflictPolicy> = {};
    const waiting: string[] = [];
    const offered: string[] = [];
    for (const field of disputed) {
      const p = this.policyOf(entry.entity, field);
      policy[field] = p;
      const decided = decide(p, mine[field], theirs[field]);
      if (decided === undefined) {
        waiting.push(field);
        continue;
      }
      if (p === 'theirs_offer_mine') offered.push(field);
      else this.deps.onResolved?.(entry.entity, p);
      if (!sameValue(decided, server[field])) resend[field] = decided;
    }
    this.deps.onDetected?.(entry.entity, policy);
    for (const key of laterKeys) delete resend[key];
    if (Object.keys(resend).length > 0) {
      await db.outbox.add({
        change_id: this.deps.uuid(), entity: entry.entity, op: 'upsert', row_id: entry.row_id, trip_id: entry.trip_id,
        fields: resend, base_version: server.version, attempts: 0, last_error: null, parked: 0, queued_at: clock.now(),
      } as OutboxEntry);
    }
    const listed = [...waiting, ...offered];
    if (listed.length > 0) {
      await this.record(entry, listed, pick(report?.base ?? null, listed), pick(mine, listed), pick(theirs, listed),
        Object.fromEntries(listed.map((f) => [f, policy[f]!])), waiting.length ? 'open' : 'offered', server);
    }
  }

  private async record(entry: OutboxEntry, fields: string[], base: Record<string, unknown> | null,
    mine: Record<string, unknown>, theirs: Record<string, unknown> | null, policy: Record<string, ConflictPolicy>,
    state: Conflict['state'], server: Row | null): Promise<void> {
    const { db, clock } = this.deps;
    // One conflict per row. A newer one takes over the fields it shares with
    // an older one (it has the newer values of both sides) and keeps the
    // older one's other fields: the user has not answered them, and their
    // edit is nowhere else (replacing the whole conflict lost it). A field
    // the user has edited again since (in this change) is theirs already:
    // offering the older value back would undo their newer edit.
    const older = await db.conflicts.where('[entity+row_id]').equals([entry.entity, entry.row_id]).toArray();
    for (const old of older) {
      const kept = old.fields.filter((f) => !fields.includes(f) && !(f in entry.fields));
      if (kept.length === 0) continue;
      const current = server && !server.deleted_at ? server : null;
      fields = [...kept, ...fields];
      base = { ...pick(old.base, kept), ...(base ?? {}) };
      mine = { ...pick(old.mine, kept), ...mine };
      theirs = { ...pick(old.theirs, kept), ...(current ? pick(current, kept) : {}), ...(theirs ?? {}) };
      policy = { ...pick(old.policy, kept) as Record<string, ConflictPolicy>, ...policy };
      if (old.state === 'open') state = 'open';
    }
    await db.conflicts.where('[entity+row_id]').equals([entry.entity, entry.row_id]).delete();
    await db.conflicts.put({
      id: this.deps.uuid(), entity: entry.entity, row_id: entry.row_id, trip_id: entry.trip_id, fields, base,
      mine, theirs, policy, state, detected_at: clock.now(),
      confidence: Math.min(...Object.values(policy).map((p) => CONFIDENCE[p])),
      server_version: (server ?? (theirs as Row | null))?.version ?? null,
    });
  }
}

/**
 * The user edited fields of a row that has a conflict waiting: their new
 * edit answers those fields. They leave the conflict (the whole conflict when
 * none is left); otherwise resolving 'mine' later would write the older value
 * back over the newer edit. A conflict that asks whether the row should go
 * (the user deleted it, someone edited it) stays as it is: an edit does not
 * answer that question, and answering it later is the user's own decision.
 * Call inside the edit's transaction.
 */
export async function supersedeConflictFields(db: PacksyncDb, entity: EntityName, rowId: string,
  edited: readonly string[]): Promise<void> {
  const waiting = await db.conflicts.where('[entity+row_id]').equals([entity, rowId]).toArray();
  for (const conflict of waiting) {
    if (conflict.mine.deleted_at === 'deleted') continue;
    const fields = conflict.fields.filter((f) => !edited.includes(f));
    if (fields.length === conflict.fields.length) continue;
    if (fields.length === 0) {
      await db.conflicts.delete(conflict.id);
      continue;
    }
    const policy = pick(conflict.policy, fields) as Record<string, ConflictPolicy>;
    await db.conflicts.put({
      ...conflict, fields, policy, base: conflict.base && pick(conflict.base, fields), mine: pick(conflict.mine, fields),
      theirs: conflict.theirs && pick(conflict.theirs, fields),
      state: Object.values(policy).every((p) => p === 'theirs_offer_mine') ? 'offered' : conflict.state,
      confidence: Math.min(...Object.values(policy).map((p) => CONFIDENCE[p])),
    });
  }
}

/** The value a policy picks, or undefined when it cannot pick (ask). */
export function decide(policy: ConflictPolicy, mine: unknown, theirs: unknown): unknown {
  switch (policy) {
    case 'mine': return mine;
    case 'theirs':
    case 'theirs_offer_mine': return theirs;
    case 'true_wins': return mine === true || theirs === true ? true : theirs;
    case 'larger_wins':
      return typeof mine === 'number' && typeof theirs === 'number' ? Math.max(mine, theirs) : undefined;
    case 'ask': return undefined;
  }
}

/** Deep equality of JSON values; object key order does not count (jsonb reorders keys). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameValue(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function pick(source: Record<string, unknown> | null, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (source) for (const f of fields) if (f in source) out[f] = source[f];
  return out;
}

function mergePolicies(base: ConflictPolicies, extra: ConflictPolicies): ConflictPolicies {
  const out: ConflictPolicies = { ...base };
  for (const [entity, fields] of Object.entries(extra) as [EntityName, Record<string, ConflictPolicy>][]) {
    out[entity] = { ...(base[entity] ?? {}), ...fields };
  }
  return out;
}
