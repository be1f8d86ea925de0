// Manual benchmark (not part of the test suite, no assertions):
//   push throughput over HTTP through the gateway in 500-change requests, and
//   poke latency to another member's open stream.
// Run against a running stack (PACKSYNC_* variables as for the tests):
//   npx deno run -A --config supabase/functions/deno.json supabase/functions/sync/bench/bench.ts [requests] [concurrency]
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '@packsync/protocol';
import { acceptChange, itemChange, signUp, streamReader, syncRequest, testEnv, tripChanges, uuid } from '../../_shared/testing.ts';

const env = testEnv();
const requests = Number(Deno.args[0] ?? 40);
const concurrency = Number(Deno.args[1] ?? 4);
const BATCH = 500;

const [owner, member] = await Promise.all([signUp(env), signUp(env)]);
const tripId = uuid();
const post = async (token: string, body: unknown) => {
  const response = await fetch(syncRequest(env, 'push', { token, body, headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) } }));
  const text = await response.text();
  if (response.status !== 200) throw new Error(`push ${response.status}: ${text.slice(0, 300)}`);
  return text;
};
const shared = tripChanges(tripId, { share: { userId: member.id, role: 'editor' } });
await post(owner.token, { client_id: uuid(), changes: shared });
await post(member.token, { client_id: uuid(), changes: [acceptChange(shared)] });

// Throughput: `requests` pushes of 500 new items, `concurrency` at a time.
const bodies = Array.from({ length: requests }, () => ({
  client_id: uuid(),
  changes: Array.from({ length: BATCH }, (_, i) => itemChange(tripId, `Item ${i}`)),
}));
await post(owner.token, bodies.pop()); // warm-up: worker, pool, plans
let next = 0;
const latencies: number[] = [];
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < bodies.length) {
    const body = bodies[next++]!;
    const t = performance.now();
    await post(owner.token, body);
    latencies.push(performance.now() - t);
  }
}));
const seconds = (performance.now() - started) / 1000;
const pushed = bodies.length * BATCH;
latencies.sort((a, b) => a - b);
console.log(`push: ${pushed} changes in ${bodies.length} requests of ${BATCH}, concurrency ${concurrency}: ` +
  `${Math.round(pushed / seconds)} changes/s; request p50 ${latencies[latencies.length >> 1]!.toFixed(0)} ms, ` +
  `p95 ${latencies[Math.floor(latencies.length * 0.95)]!.toFixed(0)} ms`);

// Poke latency: the member's stream, the owner's one-item pushes.
const response = await fetch(syncRequest(env, 'stream', { token: member.token }));
const stream = streamReader(response);
await stream.waitFor((e) => e.event === 'ready', 5000);
const fromSend: number[] = [];
const fromCommit: number[] = [];
for (let i = 0; i < 50; i++) {
  const seen = stream.events.length;
  const t0 = performance.now();
  await post(owner.token, { client_id: uuid(), changes: [itemChange(tripId, `Poke ${i}`)] });
  const t1 = performance.now();
  const poke = await stream.waitFor((e) => e.event === 'poke' && stream.events.indexOf(e) >= seen, 2000);
  const t2 = performance.now();
  if (!poke) throw new Error('no poke within 2 s');
  fromSend.push(t2 - t0);
  fromCommit.push(Math.max(0, t2 - t1));
  await new Promise((r) => setTimeout(r, 20));
}
await stream.cancel();
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!.toFixed(1);
console.log(`poke: median ${median(fromSend)} ms from push sent, ${median(fromCommit)} ms after the push response (50 samples)`);
