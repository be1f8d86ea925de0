// Generated and mutated requests for the sync function. A case starts from a
// request the protocol accepts (changes over real ids of the fuzzer's trip and
// of a neighbour's trip it must not reach) and may then be mutated: a key
// dropped or added, a value replaced by any JSON, the text cut, a key
// duplicated, a header changed. Everything is derived from fast-check's seed.
import fc from 'fast-check';
import { ENTITY_NAMES, entityColumns, systemColumns, type EntityName } from '../../packages/model/src/index.ts';
import { PROTOCOL_VERSION } from '../../packages/protocol/src/index.ts';

export interface Pools {
  /** Row ids by entity, of the fuzzer's own trip and of the neighbour's. */
  ids: Record<string, string[]>;
  tripIds: string[];
  userIds: string[];
  clientIds: string[];
  cursors: string[];
}

export type TokenChoice = 'valid' | 'missing' | 'garbage' | 'flipped' | 'anon-key' | 'lowercase-scheme';
export type ApikeyChoice = 'anon' | 'service' | 'missing' | 'wrong';
export type Route = 'push' | 'pull' | 'stream' | 'health' | 'nowhere';

export interface FuzzRequest {
  route: Route;
  method: string;
  token: TokenChoice;
  apikey: ApikeyChoice;
  protocol: string | null;
  /** The body as text, or null for none. */
  body: string | null;
  /** How the case was made, for the shrunk report. */
  recipe: string;
}

const jsonish = fc.jsonValue({ maxDepth: 3 });

const fieldValues: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('Socks', 'Tent', 'Ana', 'Beach week') }, fc.string({ maxLength: 20 }),
    fc.string({ minLength: 190, maxLength: 260 }), fc.constant(' ')),
  destination: fc.string({ maxLength: 30 }),
  category: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('clothing', 'gear', 'misc') }, fc.string({ maxLength: 12 })),
  quantity: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }) }, fc.integer({ min: -5, max: 1005 }), fc.double(), fc.constant('2')),
  packed: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, fc.constantFrom('yes', 0, null)),
  notes: fc.string({ maxLength: 40 }),
  day: fc.oneof(fc.constant(null), fc.constantFrom('2026-02-29', '2027-02-28', 'today', '2026-13-01')),
  kind: fc.constantFrom('adult', 'adult', 'child', 'infant', 'robot'),
  role: fc.constantFrom('editor', 'viewer', 'viewer', 'owner', 'admin'),
  rule_id: fc.oneof(fc.constant(null), fc.constantFrom('socks.per-day', 'Bad Rule', '')),
  disabled: fc.boolean(),
  days: fc.oneof(fc.constant([]), fc.array(jsonish, { maxLength: 3 })),
  settings: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 3 })),
  // server-managed: a valid request never carries them; a mutated one may
  version: fc.nat(),
  deleted_at: fc.constantFrom('1999-01-01T00:00:00Z', '2099-01-01T00:00:00Z'),
};

/** Mostly the entity's own writable columns (so many cases pass validation and reach SQL), sometimes any. */
function fieldsFor(pools: Pools, entity: EntityName): fc.Arbitrary<Record<string, unknown>> {
  const own = entityColumns[entity].filter((c) => !(systemColumns as readonly string[]).includes(c) && c in fieldValues);
  const keys = Object.keys(fieldValues);
  const idish = fc.oneof(fc.constantFrom(...pools.tripIds), fc.uuid());
  return fc.record({
    picked: fc.oneof({ weight: 5, arbitrary: fc.subarray(own, { maxLength: Math.min(3, own.length) }) }, fc.subarray(keys, { maxLength: 4 })),
    values: fc.record(Object.fromEntries(keys.map((k) => [k, fieldValues[k]!])) as Record<string, fc.Arbitrary<unknown>>),
    trip_id: fc.option(idish, { nil: undefined, freq: 3 }),
    user_id: entity === 'trip_members' ? fc.option(fc.oneof(fc.constantFrom(...pools.userIds), fc.uuid()), { nil: undefined }) : fc.constant(undefined),
    person_id: entity === 'items' || entity === 'rule_overrides'
      ? fc.option(fc.oneof(fc.constantFrom(...(pools.ids.people ?? [])), fc.constant(null)), { nil: undefined, freq: 2 })
      : fc.constant(undefined),
  }).map(({ picked, values, ...refs }) => {
    const out: Record<string, unknown> = {};
    for (const key of picked) out[key] = values[key];
    for (const [key, value] of Object.entries(refs)) if (value !== undefined) out[key] = value;
    return out;
  });
}

function changeArb(pools: Pools) {
  return fc.constantFrom(...ENTITY_NAMES).chain((entity) => fc.record({
    change_id: fc.uuid(),
    entity: fc.constant(entity),
    op: fc.constantFrom('upsert', 'delete'),
    id: fc.oneof(fc.constantFrom(...(pools.ids[entity] ?? [])), fc.uuid()),
    base_version: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 4 }), fc.constant(999_999)),
    fields: fieldsFor(pools, entity),
  })).map((c) => (c.op === 'delete' ? { ...c, fields: null } : c));
}

function pushBody(pools: Pools) {
  return fc.record({
    client_id: fc.oneof(fc.constantFrom(...pools.clientIds), fc.uuid()),
    changes: fc.array(changeArb(pools), { maxLength: 6 }),
  });
}

function pullBody(pools: Pools) {
  return fc.record({
    cursor: fc.oneof(fc.constant(null), fc.constantFrom(...pools.cursors), fc.string({ maxLength: 40 }),
      fc.constantFrom(...pools.cursors).map((c) => c.slice(0, -1) + (c.endsWith('A') ? 'B' : 'A'))),
    limit: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 1002 }), fc.constant(1.5)),
  }, { requiredKeys: ['cursor'] });
}

export type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'wrap'; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'version', 'entity')), value: jsonish }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: jsonish }),
  fc.record({ kind: fc.constant('wrap' as const), at: fc.nat() }),
);

/** Every object/array node of a JSON value, parents first. */
function nodes(value: unknown, out: unknown[] = []): unknown[] {
  if (value !== null && typeof value === 'object') {
    out.push(value);
    for (const child of Object.values(value)) nodes(child, out);
  }
  return out;
}

export function mutate(value: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(value);
  const all = nodes(copy);
  if (all.length === 0) return mutation.kind === 'replace' ? mutation.value : copy;
  const node = all[mutation.at % all.length] as Record<string, unknown>;
  const keys = Object.keys(node);
  const key = keys[mutation.at % Math.max(1, keys.length)];
  switch (mutation.kind) {
    case 'drop':
      if (key !== undefined) Array.isArray(node) ? node.splice(Number(key), 1) : delete node[key];
      break;
    case 'add':
      if (Array.isArray(node)) node.push(mutation.value);
      else Object.defineProperty(node, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
      break;
    case 'replace':
      if (key !== undefined) node[key] = mutation.value;
      break;
    case 'wrap':
      if (key !== undefined) node[key] = [node[key]];
      break;
  }
  return copy;
}

type TextMutation = { kind: 'none' } | { kind: 'deep-duplicate'; at: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; text: string } | { kind: 'duplicate-key'; at: number; value: string };

const textMutationArbs: (fc.Arbitrary<TextMutation> | fc.WeightedArbitrary<TextMutation>)[] = [
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('\u0000', '\\u0000', '\ud800', '1e400', '-0', ',', '"', '}')) }),
  fc.record({ kind: fc.constant('duplicate-key' as const), at: fc.nat(), value: fc.constantFrom('null', '[]', '{}', '"x"', '[[[[[[[[[[]]]]]]]]]]') }),
];
/** An earlier duplicate nested 100 000 deep: what Postgres' JSON parser refuses but JSON.parse drops (#14.8). */
const deepDuplicateArb: fc.Arbitrary<TextMutation> = fc.record({ kind: fc.constant('deep-duplicate' as const), at: fc.nat() });
const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

function mutateText(text: string, mutation: TextMutation): string {
  switch (mutation.kind) {
    case 'none': return text;
    case 'cut': return text.slice(0, mutation.at % (text.length + 1));
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
    case 'deep-duplicate':
      return mutateText(text, { kind: 'duplicate-key', at: mutation.at, value: DEEP });
    case 'duplicate-key': {
      // An earlier duplicate of some key: JSON.parse keeps the later one.
      const keys = [...text.matchAll(/"([a-z_]+)":/g)];
      const hit = keys[mutation.at % Math.max(1, keys.length)];
      if (!hit || hit.index === undefined) return text;
      return `${text.slice(0, hit.index)}"${hit[1]}":${mutation.value},${text.slice(hit.index)}`;
    }
  }
}

export interface RequestOptions {
  /** Include deep duplicate keys (left out while their fix is pending). */
  deepDuplicates: boolean;
}

export function requestArb(pools: Pools, options: RequestOptions): fc.Arbitrary<FuzzRequest> {
  const textMutationArb = fc.oneof(...textMutationArbs, ...(options.deepDuplicates ? [deepDuplicateArb] : []));
  const route = fc.oneof(
    { weight: 5, arbitrary: fc.constant('push' as const) },
    { weight: 3, arbitrary: fc.constant('pull' as const) },
    { weight: 1, arbitrary: fc.constantFrom('stream' as const, 'health' as const, 'nowhere' as const) },
  );
  return route.chain((r) => {
    const body = r === 'push' ? pushBody(pools) : r === 'pull' ? pullBody(pools) : fc.oneof(fc.constant(undefined), jsonish);
    return fc.record({
      route: fc.constant(r),
      method: fc.oneof({ weight: 12, arbitrary: fc.constant(r === 'stream' || r === 'health' ? 'GET' : 'POST') },
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH')),
      token: fc.oneof({ weight: 12, arbitrary: fc.constant('valid' as const) },
        fc.constantFrom('missing' as const, 'garbage' as const, 'flipped' as const, 'anon-key' as const, 'lowercase-scheme' as const)),
      apikey: fc.oneof({ weight: 12, arbitrary: fc.constant('anon' as const) }, fc.constantFrom('service' as const, 'missing' as const, 'wrong' as const)),
      protocol: fc.oneof({ weight: 12, arbitrary: fc.constant(String(PROTOCOL_VERSION)) },
        fc.constantFrom(null, '0', String(PROTOCOL_VERSION + 1), `${PROTOCOL_VERSION}.0`, ` ${PROTOCOL_VERSION}`)),
      value: body,
      mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, fc.array(mutationArb, { minLength: 1, maxLength: 3 })),
      textMutation: textMutationArb,
    }).map(({ value, mutations, textMutation, ...rest }): FuzzRequest => {
      const mutated = (mutations as Mutation[]).reduce<unknown>(mutate, value);
      const text = mutated === undefined ? null : mutateText(JSON.stringify(mutated), textMutation);
      const recipe = `${mutations.length} structural mutation(s) ${JSON.stringify(mutations)}; text: ${JSON.stringify(textMutation)}`;
      return { ...rest, body: rest.method === 'GET' ? null : text, recipe };
    });
  });
}
