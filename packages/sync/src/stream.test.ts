// The event stream with a fake fetch and clock: pokes reach the engine,
// `closing` reconnects at once, a broken connection reconnects after backoff.
import { encodeStreamEvent } from '@packsync/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './collaborators.ts';
import { EventStream } from './stream.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { Transport } from './transport.ts';

const trip = '10000000-0000-4000-8000-000000000001';

function sse(...chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

const settle = async () => { for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r)); };

describe('EventStream', () => {
  it('ready and poke call back; closing reconnects at once; a dropped stream reconnects after a backoff', async () => {
    const clock = new FakeClock();
    const answers: (() => Response)[] = [
      () => sse(encodeStreamEvent({ event: 'ready', data: { protocol_version: 1, heartbeat_ms: 15000, expires_at: 0 } }),
        ': ping\n\n', encodeStreamEvent({ event: 'poke', data: { trip_ids: [trip] } }),
        encodeStreamEvent({ event: 'closing', data: { reason: 'token_expired' } })),
      () => sse(': ping\n\n'), // ends without closing: a dropped connection
      () => { throw new TypeError('offline'); },
      () => sse(encodeStreamEvent({ event: 'ready', data: { protocol_version: 1, heartbeat_ms: 15000, expires_at: 0 } })),
    ];
    let calls = 0;
    const urls: string[] = [];
    const transport = new Transport({
      url: 'http://sync.test', anonKey: 'anon', clock, token: async () => 't',
      fetch: async (url) => {
        urls.push(String(url));
        return answers[Math.min(calls++, answers.length - 1)]!();
      },
    });
    const events: string[] = [];
    const clientId = '20000000-0000-4000-8000-000000000002';
    const stream = new EventStream({
      transport, clock, logger: silentLogger, random: () => 0.5, clientId,
      onReady: () => events.push('ready'), onPoke: (ids) => events.push(`poke ${ids?.join()}`),
    });
    stream.start();
    await settle();
    expect(events).toEqual(['ready', `poke ${trip}`]);
    expect(clock.pending()).toEqual([0]); // closing: straight back
    clock.advance(0);
    await settle();
    expect(calls).toBe(2);
    const [wait] = clock.pending(); // dropped: after a jittered wait
    expect(wait).toBeGreaterThan(0);
    clock.advance(wait!);
    await settle();
    expect(calls).toBe(3); // failed to connect: waits longer
    const [longer] = clock.pending();
    expect(longer).toBeGreaterThan(wait!);
    clock.advance(longer!);
    await settle();
    expect(events.at(-1)).toBe('ready');
    // Every connection says which client it serves (the server skips pokes about its own pushes).
    expect(new Set(urls)).toEqual(new Set([`http://sync.test/functions/v1/sync/stream?client_id=${clientId}`]));
    stream.stop();
    expect(clock.pending()).toEqual([]);
  });
});
