import { describe, expect, it } from 'vitest';
import { describeRequests, ServerLog } from './server-log.ts';

describe('server request log', () => {
  it('sums the function\'s requests per route since a mark, for one user, and ignores other lines', () => {
    const log = new ServerLog();
    log.add('fn:sync {"ts":"t","route":"push","user_id":"u","changes":500,"duration_ms":40}');
    const mark = log.mark();
    log.add('db: checkpoint starting');
    log.add('fn:sync {"ts":"t","route":"push","user_id":"u","changes":1000,"duration_ms":60}');
    log.add('fn:sync {"ts":"t","route":"pull","user_id":"u","returned":1000,"duration_ms":20}');
    log.add('fn:sync {"ts":"t","route":"pull","user_id":"other","returned":7,"duration_ms":5}');
    log.add('fn:sync {not json');
    const stats = log.since(mark, 'u');
    expect(stats).toEqual({ push: { requests: 1, rows: 1000, serverMs: 60 }, pull: { requests: 1, rows: 1000, serverMs: 20 } });
    expect(describeRequests(stats, 400)).toMatch(/0\.1 s of 0\.4 s wall time \(20 %\) was the server's/);
  });
});

describe('nested statements by time', () => {
  it('groups statements by text with their count and total time', async () => {
    const { byDuration } = await import('./explain.ts');
    const plan = (ms: number, text: string) => `duration: ${ms} ms  plan:\nQuery Text: ${text}\nResult  (cost=0.00..0.01 rows=1 width=4)`;
    const out = byDuration([plan(1, 'select auth.uid()'), plan(2, 'select auth.uid()'), plan(10, 'insert into items')]);
    expect(out.split('\n')[1]).toMatch(/10\.00 ms\s+1×\s+insert into items/);
    expect(out.split('\n')[2]).toMatch(/3\.00 ms\s+2×\s+select auth\.uid\(\)/);
  });
});
