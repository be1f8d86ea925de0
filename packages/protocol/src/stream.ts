// GET /sync/stream: Server-Sent Events. The stream carries no data, only
// "pull now" pokes; the pull is what is authorised and ordered. Heartbeats
// are SSE comments (`: ping`), which readers ignore.
import { z } from 'zod';
import { uuid } from '../../model/src/index.ts';

/**
 * The query of GET /sync/stream. `client_id`: the id the client pushes with;
 * the stream leaves out pokes about writes that client made through push and
 * would not pull back anyway (pull with the same id leaves them out). Leave it
 * out to be poked about every change. Not strict, unlike the bodies: the stream
 * ignored its query before this field, and other parameters stay ignored.
 */
export const streamRequest = z.object({
  client_id: uuid.optional(),
});
export type StreamRequest = z.infer<typeof streamRequest>;

export const STREAM_CLOSE_REASONS = ['token_expired', 'shutdown'] as const;
export type StreamCloseReason = (typeof STREAM_CLOSE_REASONS)[number];

export const streamEvent = z.discriminatedUnion('event', [
  /** First event: the stream is live; pull once now to cover the gap before it. */
  z.strictObject({
    event: z.literal('ready'),
    data: z.strictObject({
      protocol_version: z.number().int(),
      heartbeat_ms: z.number().int(),
      /** When the server closes the stream (the token's expiry), ms since the epoch. */
      expires_at: z.number().int(),
    }),
  }),
  /** Something the caller can see changed; `trip_ids` null means "pull, whatever it is". */
  z.strictObject({
    event: z.literal('poke'),
    data: z.strictObject({ trip_ids: z.array(uuid).nullable() }),
  }),
  /** The server is ending the stream; reconnect (with a fresh token for `token_expired`). */
  z.strictObject({
    event: z.literal('closing'),
    data: z.strictObject({ reason: z.enum(STREAM_CLOSE_REASONS) }),
  }),
]);
export type StreamEvent = z.infer<typeof streamEvent>;

/** One event as SSE text. */
export function encodeStreamEvent(event: StreamEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Incremental SSE parser: feed it text chunks as they arrive; it returns the
 * complete, valid events so far and keeps the partial tail. Comments
 * (heartbeats) and events this version does not know are skipped.
 */
export function createStreamParser(): (chunk: string) => StreamEvent[] {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n?/g, '\n');
    const events: StreamEvent[] = [];
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      try {
        const parsed = streamEvent.safeParse({ event: name, data: JSON.parse(data.join('\n')) });
        if (parsed.success) events.push(parsed.data);
      } catch {
        // not JSON: not an event of this protocol
      }
    }
    return events;
  };
}
