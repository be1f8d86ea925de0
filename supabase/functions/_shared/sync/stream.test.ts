// The poke fan-out with an injected notification source and a fake clock:
// who is poked, coalescing, heartbeats, expiry, the per-user cap, reconnects.
import { createStreamParser, type StreamEvent } from '@packsync/protocol';
import { assert, assertEquals } from '../assert.ts';
import type { UserClaims } from '../auth.ts';
import type { Clock } from '../clock.ts';
import type { Membership, SyncDb } from '../db.ts';
import { SyncError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { StreamHub } from './stream.ts';

const T1 = '00000000-0000-4000-8000-0000000000a1';
const T2 = '00000000-0000-4000-8000-0000000000a2';

function fakeClock(start = 1_000_000) {
  let now = start;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
  return clock;
}

function fakeDb(
  memberships: Membership[],
  watermark = { xmin: 1_000_000n },
  options: { written?: Record<string, string[]>; listening?: Promise<void> } = {},
) {
  let onPayload: (p: string) => void = () => {};
  let onConnect: () => void = () => {};
  const queries: string[][] = [];
  const counts = { watermark: 0 };
  const db: Pick<SyncDb, 'listen' | 'members' | 'watermark' | 'tripsOf'> = {
    watermark: () => {
      counts.watermark++;
      return Promise.resolve(watermark.xmin);
    },
    tripsOf: (xids) => Promise.resolve(xids.flatMap((x) => options.written?.[String(x)] ?? [])),
    listen: async (_channel, payload, connect) => {
      await options.listening;
      onPayload = payload;
      onConnect = connect;
      connect();
      return { unlisten: () => Promise.resolve() };
    },
    members: (tripIds, userIds) => {
      queries.push(tripIds);
      return Promise.resolve(memberships.filter((m) => tripIds.includes(m.trip_id) && userIds.includes(m.user_id)));
    },
  };
  return { db, queries, counts, notify: (p: unknown) => onPayload(JSON.stringify(p)), reconnect: () => onConnect() };
}

const claims = (sub: string, exp: number): UserClaims => ({ sub, role: 'authenticated', exp, aud: 'authenticated' });

async function open(hub: StreamHub, user: UserClaims, clientId?: string) {
  const ends: string[] = [];
  const response = await hub.open(user, ({ reason }) => ends.push(reason), clientId);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parse = createStreamParser();
  const events: StreamEvent[] = [];
  const raw: string[] = [];
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      raw.push(value!);
      events.push(...parse(value!));
    }
  })();
  return { response, events, raw, ends, reader, pump };
}

// The fakes answer at once, so one macrotask turn drains every flush: no wall-clock wait.
const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test('pokes members of the notified trips only, with their trip ids', async () => {
  const clock = fakeClock();
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }, { user_id: 'bob', trip_id: T1 }, { user_id: 'carol', trip_id: T2 }],
    undefined, { written: { '11': [T2] } });
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const exp = clock.now() / 1000 + 3600;
  const [alice, bob, carol] = [await open(hub, claims('alice', exp)), await open(hub, claims('bob', exp)), await open(hub, claims('carol', exp))];
  assertEquals(alice.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  f.notify({ trip_ids: [T1], xid: '10' });
  await tick();
  const pokes = (s: typeof alice) => s.events.filter((e) => e.event === 'poke');
  assertEquals(pokes(alice), [{ event: 'poke', data: { trip_ids: [T1] } }]);
  assertEquals(pokes(bob).length, 1);
  assertEquals(pokes(carol), []);
  // `null` trip ids (too many for one NOTIFY): the trips are read from the
  // log, and only their members are poked, never everyone.
  f.notify({ trip_ids: null, xid: '11' });
  await tick();
  assertEquals(pokes(carol), [{ event: 'poke', data: { trip_ids: [T2] } }]);
  assertEquals([pokes(alice).length, pokes(bob).length], [1, 1]);
  assertEquals(alice.events[0]!.event, 'ready');
  await hub.close();
  assertEquals(alice.ends, ['shutdown']);
});

Deno.test('a stream is not poked about what only its own client wrote through push', async () => {
  const clock = fakeClock();
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }, { user_id: 'alice', trip_id: T2 }], undefined, { written: { '13': [T1, T2] } });
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const exp = clock.now() / 1000 + 3600;
  // Alice on two devices (clients c1, c2), and a third stream that gave no client id.
  const [c1, c2, unsaid] = [await open(hub, claims('alice', exp), 'c1'), await open(hub, claims('alice', exp), 'c2'), await open(hub, claims('alice', exp))];
  const pokes = (s: typeof c1) => s.events.filter((e) => e.event === 'poke').map((e) => (e.event === 'poke' ? e.data.trip_ids : undefined));
  f.notify({ trip_ids: [T1], xid: '10', client_id: 'c1' });
  await tick();
  assertEquals([pokes(c1), pokes(c2), pokes(unsaid)], [[], [[T1]], [[T1]]]);
  // Coalesced with a write of T2 by c1 and of T1 by someone else: c1 hears of T1 only.
  f.notify({ trip_ids: [T2], xid: '11', client_id: 'c1' });
  f.notify({ trip_ids: [T1], xid: '11' });
  f.notify({ trip_ids: [T1, T2], xid: '12', client_id: 'c1' });
  await tick();
  assertEquals(pokes(c1), [[T1]]);
  assertEquals([...new Set(pokes(c2).slice(1).flat())].sort(), [T1, T2]);
  // Trips read from the log (too many to name) and "everyone": the writer's own is left out too.
  f.notify({ trip_ids: null, xid: '13', client_id: 'c1' });
  await tick();
  assertEquals(pokes(c1), [[T1]]);
  assertEquals(pokes(c2).at(-1), [T1, T2]);
  f.notify({ trip_ids: null, client_id: 'c1' });
  await tick();
  assertEquals([pokes(c1).length, pokes(c2).at(-1)], [1, null]);
  f.notify({ trip_ids: null, client_id: null });
  await tick();
  assertEquals(pokes(c1), [[T1], null]);
  await hub.close();
});

Deno.test('the watermark is read while the poke is routed, not after (one round trip on the poke\'s path)', async () => {
  const clock = fakeClock();
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }]);
  let answer!: () => void;
  const routed = new Promise<void>((resolve) => (answer = resolve));
  const members = f.db.members;
  f.db.members = async (tripIds, userIds) => {
    await routed;
    return members(tripIds, userIds);
  };
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const alice = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  f.notify({ trip_ids: [T1], xid: '10' });
  await tick();
  assertEquals(f.counts.watermark, 1, 'the watermark waits for the routing query');
  answer();
  await tick();
  assertEquals(alice.events.filter((e) => e.event === 'poke').length, 1);
  assertEquals(f.counts.watermark, 1);
  await hub.close();
});

Deno.test('coalesces notifications that arrive during a routing query', async () => {
  const clock = fakeClock();
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }, { user_id: 'alice', trip_id: T2 }]);
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const alice = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  for (let i = 0; i < 10; i++) f.notify({ trip_ids: [i % 2 ? T1 : T2], xid: String(i) });
  await tick();
  assert(f.queries.length <= 2, `expected at most 2 routing queries, got ${f.queries.length}`);
  const seen = new Set(alice.events.flatMap((e) => (e.event === 'poke' ? e.data.trip_ids ?? [] : [])));
  assertEquals([...seen].sort(), [T1, T2]);
  await hub.close();
});

Deno.test('heartbeats, then closes with token_expired when the token expires', async () => {
  const clock = fakeClock();
  const f = fakeDb([]);
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger, heartbeatMs: 1000 });
  const s = await open(hub, claims('alice', clock.now() / 1000 + 5));
  clock.advance(3500);
  await tick();
  assertEquals(s.raw.join('').split(': ping').length - 1, 3);
  assertEquals(hub.size, 1);
  clock.advance(2000);
  await s.pump;
  assertEquals(s.events.at(-1), { event: 'closing', data: { reason: 'token_expired' } });
  assertEquals(s.ends, ['token_expired']);
  assertEquals(hub.size, 0);
});

Deno.test('caps streams per user with a retryable 429 and frees the slot when a client leaves', async () => {
  const clock = fakeClock();
  const hub = new StreamHub({ db: fakeDb([]).db, clock, logger: silentLogger, maxStreamsPerUser: 2 });
  const exp = clock.now() / 1000 + 3600;
  const first = await open(hub, claims('alice', exp));
  await open(hub, claims('alice', exp));
  const refused = await hub.open(claims('alice', exp), () => {}).catch((e) => e);
  assert(refused instanceof SyncError);
  assertEquals([refused.status, refused.code, refused.retryable, refused.retryAfter], [429, 'too_many_streams', true, 30]);
  await open(hub, claims('bob', exp)); // others are not affected
  await first.reader.cancel();
  await first.pump;
  assertEquals(first.ends, ['client_closed']);
  await open(hub, claims('alice', exp));
  await hub.close();
});

Deno.test('after the LISTEN connection reconnects, everyone is poked', async () => {
  const clock = fakeClock();
  const f = fakeDb([]);
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const s = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  assertEquals(hub.listenerState(), 'ok');
  f.reconnect();
  await tick();
  assertEquals(s.events.filter((e) => e.event === 'poke'), [{ event: 'poke', data: { trip_ids: null } }]);
  await hub.close();
});

Deno.test('holds a poke until the change is below the pull watermark', async () => {
  const clock = fakeClock();
  const horizon = { xmin: 50n };
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }], horizon);
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const alice = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  const pokes = () => alice.events.filter((e) => e.event === 'poke');
  // xid 60 committed, but a transaction older than it (xmin 50) still runs.
  f.notify({ trip_ids: [T1], xid: '60' });
  await tick();
  clock.advance(100);
  await tick();
  assertEquals(pokes(), []);
  horizon.xmin = 61n;
  clock.advance(1000);
  await tick();
  assertEquals(pokes(), [{ event: 'poke', data: { trip_ids: [T1] } }]);
  // A change already below the watermark is poked at once.
  f.notify({ trip_ids: [T1], xid: '55' });
  await tick();
  assertEquals(pokes().length, 2);
  await hub.close();
});

Deno.test('the per-user stream cap holds under concurrent opens', async () => {
  const clock = fakeClock();
  let listening!: () => void;
  const f = fakeDb([], undefined, { listening: new Promise<void>((r) => (listening = r)) });
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger, maxStreamsPerUser: 8 });
  const exp = clock.now() / 1000 + 3600;
  // 50 opens start while the LISTEN connection is still being set up.
  const opens = Array.from({ length: 50 }, () => hub.open(claims('alice', exp), () => {}).then(() => 'open', (e) => e.code));
  listening();
  const outcomes = await Promise.all(opens);
  assertEquals(outcomes.filter((o) => o === 'open').length, 8);
  assertEquals(outcomes.filter((o) => o === 'too_many_streams').length, 42);
  await hub.close();
});

Deno.test('a held poke re-checks the watermark with back-off, not every 10 ms', async () => {
  const clock = fakeClock();
  const horizon = { xmin: 50n };
  const f = fakeDb([{ user_id: 'alice', trip_id: T1 }], horizon);
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const alice = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  f.notify({ trip_ids: [T1], xid: '60' });
  await tick();
  // Ten seconds of a long transaction holding the horizon back.
  for (let elapsed = 0; elapsed < 10_000; elapsed += 50) {
    clock.advance(50);
    await tick();
  }
  assert(f.counts.watermark <= 20, `${f.counts.watermark} watermark queries in 10 s`);
  horizon.xmin = 61n;
  clock.advance(1000);
  await tick();
  assertEquals(alice.events.filter((e) => e.event === 'poke'), [{ event: 'poke', data: { trip_ids: [T1] } }]);
  await hub.close();
});

Deno.test('pokes about many trips go out as several bounded events', async () => {
  const clock = fakeClock();
  const trips = Array.from({ length: 250 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const f = fakeDb(trips.map((trip_id) => ({ user_id: 'alice', trip_id })), undefined, { written: { '70': trips } });
  const hub = new StreamHub({ db: f.db, clock, logger: silentLogger });
  const alice = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  f.notify({ trip_ids: null, xid: '70' });
  await tick();
  const pokes = alice.events.flatMap((e) => (e.event === 'poke' ? [e.data.trip_ids] : []));
  assertEquals(pokes.map((p) => p?.length), [100, 100, 50]);
  assertEquals(pokes.flatMap((p) => p ?? []).sort(), [...trips].sort());
  await hub.close();
});

Deno.test('tells the runtime how long each stream lives (EdgeRuntime.waitUntil on hosted)', async () => {
  const clock = fakeClock();
  const lives: Promise<void>[] = [];
  const hub = new StreamHub({ db: fakeDb([]).db, clock, logger: silentLogger, keepAlive: (ended) => lives.push(ended) });
  const s = await open(hub, claims('alice', clock.now() / 1000 + 3600));
  assertEquals(lives.length, 1);
  let settled = false;
  void lives[0]!.then(() => (settled = true));
  await tick();
  assertEquals(settled, false);
  await s.reader.cancel();
  await lives[0];
  assertEquals(s.ends, ['client_closed']);
  await hub.close();
});
