import { describe, expect, it } from 'vitest';
import { createStreamParser, encodeStreamEvent, type StreamEvent } from './stream.ts';

describe('stream events', () => {
  it('round-trips through SSE text split at any point, skipping heartbeats and unknown events', () => {
    const events: StreamEvent[] = [
      { event: 'ready', data: { protocol_version: 1, heartbeat_ms: 15000, expires_at: 1 } },
      { event: 'poke', data: { trip_ids: ['00000000-0000-4000-8000-000000000001'] } },
      { event: 'closing', data: { reason: 'token_expired' } },
    ];
    const text = `: ping\n\n${encodeStreamEvent(events[0]!)}event: later\ndata: {}\n\n${encodeStreamEvent(events[1]!)}: ping\n\n${encodeStreamEvent(events[2]!)}`;
    for (const cut of [1, 7, 40, text.length - 1]) {
      const parse = createStreamParser();
      expect([...parse(text.slice(0, cut)), ...parse(text.slice(cut))]).toEqual(events);
    }
  });
});
