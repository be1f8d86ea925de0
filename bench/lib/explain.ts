// Plans of every statement a server function runs, through auto_explain
// (loaded for one transaction, its output sent to this client), as the user.
import postgres from 'postgres';

export interface NestedPlans {
  /** Each nested statement's plan, as auto_explain logged it. */
  plans: string[];
  /** The query's own result rows (e.g. EXPLAIN output). */
  rows: Record<string, unknown>[];
}

export async function nestedPlans(dbUrl: string, userId: string, query: string, options: { analyze?: boolean; buffers?: boolean; timing?: boolean } = {}): Promise<NestedPlans> {
  const plans: string[] = [];
  const sql = postgres(dbUrl, { max: 1, onnotice: (n) => plans.push(String(n.message)) });
  try {
    const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
    const rows = await sql.begin(async (tx) => {
      await tx`load 'auto_explain'`;
      await tx`select set_config('auto_explain.log_min_duration', '0', true), set_config('auto_explain.log_nested_statements', 'on', true),
        set_config('auto_explain.log_analyze', ${String(options.analyze ?? true)}, true), set_config('auto_explain.log_buffers', ${String(options.buffers ?? true)}, true),
        set_config('auto_explain.log_timing', ${String(options.timing ?? true)}, true), set_config('client_min_messages', 'log', true),
        set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const result = await tx.unsafe(query);
      // Nothing a measured function wrote survives its explanation.
      await tx`select set_config('role', 'postgres', true)`;
      throw new Rollback(result as unknown as Record<string, unknown>[]);
    }).catch((e: unknown) => {
      if (e instanceof Rollback) return e.rows;
      throw e;
    });
    return { plans: plans.filter((p) => p.includes('Query Text')), rows };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

class Rollback extends Error {
  constructor(readonly rows: Record<string, unknown>[]) {
    super('rollback');
  }
}

/**
 * "duration: 3.2 ms … Query Text: …" → the statements grouped by their text,
 * longest total first: how often each ran and its time, one line each.
 */
export function byDuration(plans: readonly string[], top = 15): string {
  const groups = new Map<string, { ms: number; count: number }>();
  for (const p of plans) {
    const ms = Number(/duration: ([\d.]+) ms/.exec(p)?.[1] ?? 0);
    const text = (/Query Text: ([\s\S]*?)\n(?=\S)/.exec(p)?.[1] ?? p).replace(/\s+/g, ' ').trim().slice(0, 130);
    const g = groups.get(text) ?? { ms: 0, count: 0 };
    g.ms += ms;
    g.count++;
    groups.set(text, g);
  }
  const total = [...groups.values()].reduce((a, g) => a + g.ms, 0);
  return [`${plans.length} nested statements, ${total.toFixed(1)} ms in all (they nest: a statement's time includes the ones it calls; auto_explain's timing slows them all)`,
    ...[...groups.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)
      .map(([text, g]) => `${g.ms.toFixed(2).padStart(8)} ms ${`${g.count}×`.padStart(6)}  ${text}`)].join('\n');
}
