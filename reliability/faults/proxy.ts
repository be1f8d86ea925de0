// A fault-injecting HTTP proxy between the engines and the gateway. For each
// request it asks the plan what to do: pass it; drop the request (the server
// never sees it); drop the response after the server processed it; send it
// twice; hold it back so later requests overtake it; answer 502/503 itself;
// reset the connection half-way through the response body; or, for a stream,
// cut it after a while. It counts what it did, by kind.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rng } from './rng.ts';
import type { Exchange } from './wire.ts';

export const FAULT_KINDS = [
  'drop_request', 'drop_response', 'duplicate', 'delay', 'status_502', 'status_503', 'reset_mid_body', 'cut_stream', 'upstream_down',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type Decision = { kind: 'pass' } | { kind: Exclude<FaultKind, 'upstream_down'>; delayMs?: number };

export interface FaultPlan {
  /** What to do with a request to `path` (a stream is `GET …/sync/stream`). */
  decide(method: string, path: string): Decision;
  /** Sees every buffered exchange (not streams) once it is over, with what the server answered and whether the answer got through. */
  observe?(exchange: Exchange): void;
}

/** Faults with the given probability each, on sync routes; auth sees only request-level faults (see note). */
export function randomPlan(random: Rng, rate: number): FaultPlan & { enabled: boolean } {
  const plan = {
    enabled: true,
    decide(method: string, path: string): Decision {
      if (!plan.enabled || !random.chance(rate)) return { kind: 'pass' };
      if (path.includes('/sync/stream')) return random.chance(0.5) ? { kind: 'cut_stream', delayMs: random.int(50, 2000) } : { kind: 'status_503' };
      if (path.startsWith('/auth/')) {
        // Also the faults after the auth server acted: a refresh whose answer
        // is lost (or cut, or that arrives twice) has rotated the token the
        // client still holds; GoTrue honours it again (the parent of the live
        // token, or within the reuse interval), so the client must recover.
        return { kind: random.pick(['drop_request', 'drop_response', 'duplicate', 'reset_mid_body', 'status_502', 'status_503', 'delay'] as const), delayMs: random.int(10, 300) };
      }
      const kind = random.pick(['drop_request', 'drop_response', 'duplicate', 'delay', 'status_502', 'status_503', 'reset_mid_body'] as const);
      return { kind, delayMs: random.int(10, 400) };
    },
  };
  return plan;
}

export interface FaultProxy {
  url: string;
  counts: Record<FaultKind, number>;
  requests: number;
  /** Requests that were answered by the server, by path (for figures). */
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function startFaultProxy(target: () => string, plan: FaultPlan): Promise<FaultProxy> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const sockets = new Set<import('node:net').Socket>();
  let requests = 0;

  function forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const url = new URL(target());
      const upstream = http.request({
        host: url.hostname, port: url.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: url.host, 'content-length': String(body.length) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** Streams are piped, not buffered; a cut ends the client side after `afterMs`. */
  function pipeStream(req: http.IncomingMessage, res: http.ServerResponse, cutAfterMs: number | null): void {
    const url = new URL(target());
    const upstream = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: { ...req.headers, host: url.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      if (cutAfterMs !== null) setTimeout(() => res.destroy(), cutAfterMs).unref();
    });
    upstream.on('error', () => {
      counts.upstream_down++;
      if (!res.headersSent) send(res, 502, '{"message":"upstream unreachable"}');
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    upstream.end();
  }

  const server = http.createServer(async (req, res) => {
    const request = ++requests;
    const path = req.url ?? '/';
    const decision = plan.decide(req.method ?? 'GET', path);
    if (decision.kind !== 'pass') counts[decision.kind]++;
    if (path.includes('/sync/stream')) {
      if (decision.kind === 'status_503') return send(res, 503, '{"error":{"type":"storage","code":"database_unavailable","message":"injected","retryable":true}}');
      return pipeStream(req, res, decision.kind === 'cut_stream' ? decision.delayMs ?? 100 : null);
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let observed = 0;
    const observe = (answer: Upstream | null, delivered: boolean) => {
      // A duplicate is two exchanges; anything else one (a failed reply after it is not another).
      if (observed++ >= (decision.kind === 'duplicate' ? 2 : 1)) return;
      plan.observe?.({ request, device: deviceOf(req), method: req.method ?? 'GET', path, body, fault: decision.kind, status: answer?.status ?? null, response: answer?.body ?? null, delivered });
    };
    try {
      switch (decision.kind) {
        case 'drop_request':
          observe(null, false);
          return void req.socket.destroy();
        case 'status_502':
          observe(null, false);
          return send(res, 502, '{"message":"An invalid response was received from the upstream server"}');
        case 'status_503':
          observe(null, false);
          return send(res, 503, '{"error":{"type":"storage","code":"database_unavailable","message":"injected","retryable":true}}');
        case 'delay':
          await new Promise((r) => setTimeout(r, decision.delayMs ?? 100));
          break;
        default:
          break;
      }
      if (decision.kind === 'duplicate') {
        // Both copies reach the server, concurrently, as a retrying network would deliver them.
        const [first, second] = await Promise.all([forward(req, body), forward(req, body).catch(() => undefined)]);
        observe(first, true);
        observe(second ?? null, false);
        return reply(res, first);
      }
      const answer = await forward(req, body);
      observe(answer, decision.kind !== 'drop_response' && decision.kind !== 'reset_mid_body');
      if (decision.kind === 'drop_response') return void req.socket.destroy();
      if (decision.kind === 'reset_mid_body') {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
        res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
        return void setImmediate(() => req.socket.destroy());
      }
      return reply(res, answer);
    } catch {
      observe(null, false);
      counts.upstream_down++;
      if (!res.headersSent) send(res, 502, '{"message":"upstream unreachable"}');
      else res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    get requests() { return requests; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The header the fault run's devices add to every request (see cluster.ts), so exchanges can be told apart by device. */
export const DEVICE_HEADER = 'x-packsync-test-device';

function deviceOf(req: http.IncomingMessage): number | null {
  const value = Number(req.headers[DEVICE_HEADER]);
  return Number.isInteger(value) ? value : null;
}

function reply(res: http.ServerResponse, answer: Upstream): void {
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
  res.end(answer.body);
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
