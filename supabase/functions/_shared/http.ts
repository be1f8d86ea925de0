// HTTP plumbing shared by the function's routes: CORS, JSON responses, error
// responses and a body reader that stops at the size limit.
import type { SyncError } from './errors.ts';
import { validation } from './errors.ts';
import { PROTOCOL_HEADER } from '../../../packages/protocol/src/index.ts';

/** Supabase's usual CORS headers for functions called from a browser. */
export const corsHeaders: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': `authorization, x-client-info, apikey, content-type, ${PROTOCOL_HEADER}`,
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '86400',
};

export function jsonText(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { ...corsHeaders, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(error: SyncError, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = { ...extraHeaders };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  return jsonText(error.status, JSON.stringify(error.toWire()), headers);
}

const tooLarge = (limit: number) =>
  validation('body_too_large', `The request body is larger than ${limit} bytes: send fewer changes per push.`, 413);

/** The body as text, refusing more than `limit` bytes without reading them all. */
export async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(limit);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw validation('invalid_json', 'The request body is not UTF-8 text.');
  }
}
