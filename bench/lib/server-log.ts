// The sync function's request log (one JSON line per request, prefixed
// `fn:sync `), kept in memory while the bench runs, so a measure can set the
// server's share of a client-side wall time beside it.
export interface RequestLine {
  ts: string;
  route: string;
  user_id?: string;
  changes?: number;
  returned?: number;
  duration_ms: number;
}

export class ServerLog {
  private lines: RequestLine[] = [];

  /** The stack's log callback feeds every line here. */
  add(line: string): void {
    if (!line.startsWith('fn:sync ')) return;
    try {
      const parsed = JSON.parse(line.slice('fn:sync '.length)) as RequestLine;
      if (typeof parsed.duration_ms === 'number' && typeof parsed.route === 'string') this.lines.push(parsed);
    } catch {
      // not a request line
    }
  }

  mark(): number {
    return this.lines.length;
  }

  /** Requests since a mark, per route: count, rows moved, the function's own time. */
  since(mark: number, userId?: string): Record<string, { requests: number; rows: number; serverMs: number }> {
    const out: Record<string, { requests: number; rows: number; serverMs: number }> = {};
    for (const l of this.lines.slice(mark)) {
      if (userId && l.user_id !== userId) continue;
      const r = (out[l.route] ??= { requests: 0, rows: 0, serverMs: 0 });
      r.requests++;
      r.rows += l.changes ?? l.returned ?? 0;
      r.serverMs += l.duration_ms;
    }
    return out;
  }
}

/** "push: 10 requests, 10 000 rows, 5.6 s in the function" for a note. */
export function describeRequests(stats: ReturnType<ServerLog['since']>, wallMs: number): string {
  const parts = Object.entries(stats).map(([route, s]) =>
    `${route}: ${s.requests} requests, ${s.rows.toLocaleString('en-US')} rows, ${(s.serverMs / 1000).toFixed(1)} s in the function`);
  const server = Object.values(stats).reduce((a, s) => a + s.serverMs, 0);
  return `${parts.join('; ')} — ${(server / 1000).toFixed(1)} s of ${(wallMs / 1000).toFixed(1)} s wall time (${Math.round((100 * server) / Math.max(wallMs, 1))} %) was the server's; the rest is the client`;
}
