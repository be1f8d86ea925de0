import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSignedBy, type TokenSettings } from './auth/tokens.ts';
import type { FunctionWorkers } from './functions/workers.ts';

export interface GatewayOptions {
  port: number;
  /** Accepted in `apikey`: the legacy anon/service-role keys and the publishable/secret keys. */
  apiKeys: string[];
  /** Keys the gateway's own JWT check (verify_jwt) accepts: the HS256 secret and the ES256 key. */
  tokens: Pick<TokenSettings, 'secret' | 'signingKey'>;
  auth: (request: Request, path: string) => Promise<Response>;
  functions: FunctionWorkers;
  /** Functions whose `verify_jwt` is off in supabase/config.toml. */
  openFunctions: Set<string>;
  log: (line: string) => void;
}

const MAX_AUTH_BODY = 1024 * 1024;
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS',
  'access-control-max-age': '3600',
};

/** Auth paths Kong serves without an API key on hosted Supabase. */
const OPEN_AUTH_PATHS = new Set(['/.well-known/jwks.json']);

/**
 * The API on one port, routed as Supabase's Kong routes it: `/auth/v1/*` to
 * the auth server (API key required), `/functions/v1/<name>/*` to that
 * function's Deno worker, streamed both ways so Server-Sent Events pass.
 */
export async function startGateway(options: GatewayOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    route(options, req, res).catch((error) => {
      options.log(`gateway: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 502, { message: 'An invalid response was received from the upstream server' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(options: GatewayOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const auth = /^\/auth\/v1(\/.*)?$/.exec(url.pathname);
  if (auth) return routeAuth(options, auth[1] ?? '/', url, req, res);
  const fn = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (fn) return routeFunction(options, fn[1]!, fn[2] ?? '', url, req, res);
  sendJson(res, 404, { message: 'no Route matched with those values' });
}

async function routeAuth(
  options: GatewayOptions, path: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse,
): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { ...CORS_HEADERS, 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*' });
    res.end();
    return;
  }
  const apikey = req.headers.apikey ?? url.searchParams.get('apikey');
  if (!OPEN_AUTH_PATHS.has(path)) {
    if (!apikey) return sendJson(res, 401, { message: 'No API key found in request' }, CORS_HEADERS);
    if (!options.apiKeys.includes(String(apikey))) return sendJson(res, 401, { message: 'Invalid API key' }, CORS_HEADERS);
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, MAX_AUTH_BODY);
  if (body === null) return sendJson(res, 413, { message: 'Request body too large' }, CORS_HEADERS);
  const request = new Request(url, {
    method: req.method,
    headers: toHeaders(req.headers),
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
  const response = await options.auth(request, path);
  res.writeHead(response.status, { ...CORS_HEADERS, ...Object.fromEntries(response.headers) });
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function routeFunction(
  options: GatewayOptions, name: string, rest: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse,
): Promise<void> {
  if (!options.functions.names().includes(name)) {
    return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found' }, CORS_HEADERS);
  }
  if (req.method !== 'OPTIONS' && !options.openFunctions.has(name)) {
    const token = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return sendJson(res, 401, { code: 'UNAUTHORIZED_NO_AUTH_HEADER', message: 'Missing authorization header' }, CORS_HEADERS);
    if (!(await isSignedBy(options.tokens, token))) {
      return sendJson(res, 401, { code: 'UNAUTHORIZED_INVALID_JWT_FORMAT', message: 'Invalid JWT' }, CORS_HEADERS);
    }
  }
  const port = await options.functions.portFor(name);
  await new Promise<void>((resolve, reject) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        // Functions see their own name as the first path segment, as on Supabase.
        path: `/${name}${rest}${url.search}`,
        headers: { ...req.headers, host: `127.0.0.1:${port}`, 'x-forwarded-host': req.headers.host ?? '' },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', reject);
      },
    );
    upstream.on('error', reject);
    // A client that goes away (an SSE reader closing) ends the upstream request too.
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function toHeaders(headers: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out;
}

/** The whole body, or null when it is larger than `limit` bytes. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
