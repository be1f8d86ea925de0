// The proxy does what each fault says: whether the server saw the request
// (and how often), and what the client got back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type Decision, type FaultProxy } from './proxy.ts';

let upstream: http.Server;
let upstreamUrl: string;
let hits = 0;
let next: Decision = { kind: 'pass' };
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      if (req.url?.includes('/sync/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: ready\ndata: {}\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, pad: 'x'.repeat(1000) }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startFaultProxy(() => upstreamUrl, { decide: () => next });
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

async function call(decision: Decision, path = '/functions/v1/sync/push'): Promise<{ outcome: string; hits: number }> {
  next = decision;
  hits = 0;
  let outcome: string;
  try {
    const response = await fetch(`${proxy.url}${path}`, { method: 'POST', body: '{}' });
    outcome = `${response.status} ${(await response.text()).length > 100 ? 'body' : 'short'}`;
  } catch {
    outcome = 'failed';
  }
  return { outcome, hits };
}

describe('fault proxy', () => {
  it.each([
    [{ kind: 'pass' }, '200 body', 1],
    [{ kind: 'drop_request' }, 'failed', 0],
    [{ kind: 'drop_response' }, 'failed', 1],
    [{ kind: 'duplicate' }, '200 body', 2],
    [{ kind: 'delay', delayMs: 20 }, '200 body', 1],
    [{ kind: 'status_502' }, '502 short', 0],
    [{ kind: 'status_503' }, '503 short', 0],
    [{ kind: 'reset_mid_body' }, 'failed', 1],
  ] as [Decision, string, number][])('%o: client sees %s, server saw it %i time(s)', async (decision, outcome, seen) => {
    expect(await call(decision)).toEqual({ outcome, hits: seen });
  });

  it('cuts a stream after it opened', async () => {
    next = { kind: 'cut_stream', delayMs: 50 };
    const response = await fetch(`${proxy.url}/functions/v1/sync/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('ready');
    await expect((async () => { for (;;) { const r = await reader.read(); if (r.done) return 'ended'; } })()).rejects.toThrow();
  });
});
