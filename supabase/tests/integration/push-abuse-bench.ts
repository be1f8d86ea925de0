// Manual benchmark (not part of the test suite; issue 14.1): how long another
// user's pull takes while one user pushes the worst shapes, four at a time.
//   PACKSYNC_DB_URL=postgresql://postgres:postgres@127.0.0.1:54322/postgres npx tsx supabase/tests/integration/push-abuse-bench.ts
// Shapes: 1000 stale changes to one row with ~1000 versions; 1000 changes
// that each fail a foreign key; the same row 1000 times. Prints the other
// user's pull latency (median and max) with no push running and during each
// shape, how long a change the other user commits takes to show up in their
// own pull (the pull watermark waits for every running transaction), and
// how long each bad push took and what it returned.
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

const url = process.env.PACKSYNC_DB_URL;
if (!url) throw new Error('PACKSYNC_DB_URL is not set');
const CONCURRENT = 4;
const N = 1000;

const connect = () => postgres(url, { max: 1, onnotice: () => {} });
const admin = connect();
const as = (sub: string) => JSON.stringify({ sub, role: 'authenticated' });

async function asUser<T>(sql: postgres.Sql, user: string, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${as(user)}, true)`;
    return work(tx);
  })) as T;
}

const abuser = randomUUID();
const other = randomUUID();
const abuserTrip = randomUUID();
const otherTrip = randomUUID();
const hotItem = randomUUID();
for (const [id, name] of [[abuser, 'abuser'], [other, 'other']] as const) {
  await admin`insert into auth.users (id, email) values (${id}, ${`${name}-${id}@packsync.test`})`;
}
await asUser(admin, abuser, async (tx) => {
  await tx`insert into public.trips (id, name) values (${abuserTrip}, 'Abuse')`;
  await tx`insert into public.items (id, trip_id, name) values (${hotItem}, ${abuserTrip}, 'hot')`;
  for (let v = 0; v < N; v++) await tx`update public.items set quantity = ${(v % 50) + 1} where id = ${hotItem}`;
});
await asUser(admin, other, async (tx) => {
  await tx`insert into public.trips (id, name) values (${otherTrip}, 'Other')`;
  await tx`insert into public.items (trip_id, name) select ${otherTrip}, 'item ' || g from generate_series(1, 200) g`;
});

const change = (id: string, fields: object, base: number | null) => ({
  change_id: randomUUID(), entity: 'items', op: 'upsert', id, base_version: base, fields,
});
const shapes: Record<string, () => object[]> = {
  'stale x1000 on a row with ~1000 versions': () => Array.from({ length: N }, (_, i) => change(hotItem, { name: `n${i}` }, 1)),
  '1000 foreign-key failures': () =>
    Array.from({ length: N }, () => change(randomUUID(), { trip_id: abuserTrip, name: 'x', person_id: randomUUID() }, null)),
  'the same new row 1000 times': () => {
    const id = randomUUID();
    return Array.from({ length: N }, (_, i) => change(id, { trip_id: abuserTrip, name: `same ${i}` }, null));
  },
};

const reader = connect();
const writer = connect();
let cursor: string | null = null;
const seen = new Set<string>();
async function timedPull(): Promise<number> {
  const t0 = performance.now();
  await asUser(reader, other, async (tx) => {
    for (;;) {
      const [row] = await tx`select public.pull_changes(${cursor}, 1000) as p`;
      const page = row!.p as { cursor: string; has_more: boolean; changes: { id: string }[] };
      for (const c of page.changes) seen.add(c.id);
      cursor = page.cursor;
      if (!page.has_more) return;
    }
  });
  return performance.now() - t0;
}
/** Commits an item as the other user, then pulls until it arrives: the lag. */
async function visibilityLag(pulls: number[]): Promise<number> {
  const id = randomUUID();
  await asUser(writer, other, (tx) => tx`insert into public.items (id, trip_id, name) values (${id}, ${otherTrip}, 'probe')`);
  const t0 = performance.now();
  while (!seen.has(id)) pulls.push(await timedPull());
  return performance.now() - t0;
}
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms (${ms.length} pulls)`;
};

await timedPull();
const quiet: number[] = [];
const quietLag: number[] = [];
for (let i = 0; i < 20; i++) quietLag.push(await visibilityLag(quiet));
console.log(`other user's pull, nothing else running: ${stats(quiet)}; commit-to-pull lag ${stats(quietLag)}`);

const pushers = Array.from({ length: CONCURRENT }, connect);
for (const [name, make] of Object.entries(shapes)) {
  let running = true;
  const during: number[] = [];
  const lags: number[] = [];
  const sampling = (async () => {
    while (running) lags.push(await visibilityLag(during));
  })();
  const t0 = performance.now();
  const outcomes = await Promise.all(
    pushers.map(async (sql) => {
      const start = performance.now();
      try {
        const results = await asUser(sql, abuser, async (tx) => {
          const [row] = await tx`select public.push_changes(${randomUUID()}, ${tx.json(make() as postgres.JSONValue)}) as r`;
          return (row!.r as { results: { status: string; error: { code: string } | null }[] }).results;
        });
        const counts: Record<string, number> = {};
        for (const r of results) {
          const key = r.error ? `${r.status}/${r.error.code}` : r.status;
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return `${(performance.now() - start).toFixed(0)} ms ${JSON.stringify(counts)}`;
      } catch (error) {
        return `${(performance.now() - start).toFixed(0)} ms error ${(error as { code?: string }).code}`;
      }
    }),
  );
  running = false;
  await sampling;
  console.log(`\n${name}: ${CONCURRENT} pushes in ${(performance.now() - t0).toFixed(0)} ms`);
  for (const o of outcomes) console.log(`  push: ${o}`);
  console.log(`  other user's pull meanwhile: ${stats(during)}; commit-to-pull lag ${stats(lags)}`);
}
await Promise.all([admin, reader, writer, ...pushers].map((c) => c.end({ timeout: 5 })));
