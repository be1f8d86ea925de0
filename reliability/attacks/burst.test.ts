// #13.3 A burst of 10 000 requests from one user: every answer is 2xx or a
// typed 4xx (413 for what is too large, 429 for streams over the cap), never
// a 5xx; another user's pulls keep succeeding meanwhile. Their latency before
// and during the burst is printed, not asserted; they run in a thread of their
// own, so it is the server's queue they measure, not the flooding thread's.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_CHANGES_PER_PUSH, MAX_STREAMS_PER_USER, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../packages/protocol/src/index.ts';
import { recordFigures } from '../support/figures.ts';
import { describeLatency, summarize } from '../support/latency.ts';
import { expectTypedError } from '../support/shape.ts';
import { callSync, createTrip, signUp, stack, upsert, type Answer, type Stack, type User } from '../support/stack.ts';
import { addItem } from '../support/world.ts';

const s = stack();
const BURST = Number(process.env.PACKSYNC_BURST_REQUESTS ?? 10_000);
const CONCURRENCY = 64;
let flooder: User;
let bystander: User;
let floodTrip: string;

beforeAll(async () => {
  [flooder, bystander] = await Promise.all([signUp(s, 'burst-flooder'), signUp(s, 'burst-bystander')]);
  floodTrip = await createTrip(s, flooder, 'Flood');
  const quietTrip = await createTrip(s, bystander, 'Quiet');
  for (let i = 0; i < 20; i++) await addItem(s, bystander, quietTrip, `thing ${i}`);
});

interface OpenStream {
  status: number;
  answer?: Answer;
  close: () => void;
}

/** Opens a stream and waits for its first bytes (`ready`), or reads the refusal. */
async function openStream(st: Stack, user: User): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${st.apiUrl}/functions/v1/sync/stream`, {
    headers: { apikey: st.anonKey, authorization: `Bearer ${user.accessToken}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    signal: controller.signal,
  });
  if (response.status !== 200) {
    const text = await response.text();
    return { status: response.status, answer: { status: response.status, headers: response.headers, text, json: JSON.parse(text) }, close: () => {} };
  }
  const reader = response.body!.getReader();
  await reader.read();
  return { status: 200, close: () => controller.abort() };
}

type Kind = 'pull' | 'push' | 'too_many_changes' | 'too_large' | 'invalid_json' | 'old_protocol';
// Pushes and pulls may also be turned away for the moment: 429 with Retry-After (per-user slots).
const EXPECTED: Record<Kind, number[]> = {
  pull: [200, 429], push: [200, 429], too_many_changes: [413], too_large: [413], invalid_json: [400], old_protocol: [400],
};

function kindOf(i: number): Kind {
  if (i % 100 === 7) return 'too_large';
  if (i % 50 === 3) return 'too_many_changes';
  const r = i % 10;
  return r < 4 ? 'pull' : r < 6 ? 'push' : r < 8 ? 'invalid_json' : 'old_protocol';
}

const manyChanges = JSON.stringify({
  client_id: randomUUID(),
  changes: Array.from({ length: MAX_CHANGES_PER_PUSH + 1 }, () => ({ change_id: randomUUID(), entity: 'items', op: 'delete', id: randomUUID(), base_version: 1 })),
});
const tooLarge = `{"client_id":"${randomUUID()}","changes":[],"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`;

function request(kind: Kind): Promise<Answer> {
  const token = flooder.accessToken;
  switch (kind) {
    case 'pull': return callSync(s, 'pull', { cursor: null, limit: 10 }, { token });
    case 'push': return callSync(s, 'push', { client_id: randomUUID(), changes: [upsert('items', randomUUID(), { trip_id: floodTrip, name: 'flood' })] }, { token });
    case 'too_many_changes': return callSync(s, 'push', undefined, { token, raw: manyChanges });
    case 'too_large': return callSync(s, 'push', undefined, { token, raw: tooLarge });
    case 'invalid_json': return callSync(s, 'push', undefined, { token, raw: '{"client_id": ' });
    case 'old_protocol': return callSync(s, 'pull', { cursor: null }, { token, headers: { [PROTOCOL_HEADER]: '0' } });
  }
}

/** Another user pulling in a loop, in a worker thread (see bystander.mjs), until `stop()`; at least `minimum` pulls. */
function bystanderPulls(minimum: number): { stop(): Promise<{ latencies: number[]; failures: number }> } {
  const worker = new Worker(new URL('./bystander.mjs', import.meta.url), {
    workerData: {
      url: `${s.apiUrl}/functions/v1/sync/pull`, minimum, body: JSON.stringify({ cursor: null, limit: 1000 }),
      headers: { 'content-type': 'application/json', apikey: s.anonKey, authorization: `Bearer ${bystander.accessToken}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    },
  });
  const result = new Promise<{ latencies: number[]; failures: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const out = await result;
      await worker.terminate();
      return out;
    },
  };
}

describe(`a burst of ${BURST} requests from one user`, () => {
  it('answers every request with 2xx or the typed 4xx its limit names; another user keeps pulling', async () => {
    const baseline = await bystanderPulls(30).stop();

    const streams: OpenStream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER + 4; i++) streams.push(await openStream(s, flooder));
    expect(streams.map((st) => st.status)).toEqual([...Array(MAX_STREAMS_PER_USER).fill(200), 429, 429, 429, 429]);
    for (const refused of streams.filter((st) => st.answer)) expectTypedError(refused.answer!, 429, 'too_many_streams');

    let next = 0;
    const statuses = new Map<string, number>();
    const wrong: string[] = [];
    const started = performance.now();
    const during = bystanderPulls(1);
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < BURST) {
        const kind = kindOf(next++);
        const answer = await request(kind);
        const key = `${kind} ${answer.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (!EXPECTED[kind].includes(answer.status) && wrong.length < 5) wrong.push(`${kind}: ${answer.status} ${answer.text.slice(0, 200)}`);
        if (answer.status >= 400) expectTypedError(answer, answer.status);
        if (answer.status === 429 && !answer.headers.get('retry-after') && wrong.length < 5) wrong.push(`${kind}: 429 without Retry-After`);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const { latencies, failures } = await during.stop();
    for (const st of streams) st.close();

    const before = summarize(baseline.latencies);
    const meanwhile = summarize(latencies);
    console.log(`burst: ${BURST} requests in ${seconds.toFixed(1)} s (${(BURST / seconds).toFixed(0)}/s), answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(`burst: another user's pull before: ${describeLatency(before)}; during: ${describeLatency(meanwhile)}; ` +
      `p50 ratio ${(meanwhile.p50 / before.p50).toFixed(1)}x, p95 ratio ${(meanwhile.p95 / before.p95).toFixed(1)}x`);
    recordFigures('burst', { requests: BURST, seconds, answers: Object.fromEntries(statuses), before, during: meanwhile, failures });
    expect(wrong, 'requests answered with another status than their kind').toEqual([]);
    expect(failures, 'the other user\'s pulls that failed during the burst').toBe(0);
  }, 600_000);

  it(`50 concurrent stream opens let at most ${MAX_STREAMS_PER_USER} through`, async () => {
    const racer = await signUp(s, 'burst-racer');
    const opened = await Promise.all(Array.from({ length: 50 }, () => openStream(s, racer)));
    for (const st of opened) st.close();
    expect(opened.filter((st) => st.status === 200).length).toBeLessThanOrEqual(MAX_STREAMS_PER_USER);
    expect(opened.every((st) => st.status === 200 || st.status === 429)).toBe(true);
  });
});
