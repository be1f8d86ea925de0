// HTTP plumbing shared by the function's routes: CORS, JSON responses, error
// responses and a body reader that stops at the size limit.
import type { SyncError } from './errors.ts';
import { validation } from './errors.ts';
import { PROTOCOL_HEADER } from '@packsync/protocol';

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

/**
 * A body over the limit is still read (and dropped) up to this size before
 * the 413 goes out: a client, or the gateway in front of us, that is still
 * uploading may not see a response until its upload finishes, and would
 * otherwise hang until a keep-alive timeout. Anything larger is cut off.
 */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, already: number): Promise<void> {
  let seen = already;
  while (seen <= MAX_DRAIN_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    seen += value.byteLength;
  }
  await reader.cancel().catch(() => {});
}

/** The body as text, refusing more than `limit` bytes (and keeping none of them). */
export async function readBody(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await (declared <= MAX_DRAIN_BYTES ? drain(reader, 0) : reader.cancel()).catch(() => {});
    throw tooLarge(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      chunks.length = 0;
      await drain(reader, size).catch(() => {});
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
