// One seeded fault run: a stack of its own behind the fault proxy, 8 devices
// (4 users, two devices each) editing 3 shared trips concurrently through
// offline spells, reloads, stack restarts and expiring tokens; then faults
// stop, every device syncs until idle, and the checker compares.
import { createTrip, signUp, type User } from '../support/stack.ts';
import { share } from '../support/world.ts';
import { check, type Problem } from './checker.ts';
import { Device, sqlChecksum, startClusterStack, type RestartKind } from './cluster.ts';
import { FAULT_KINDS, randomPlan, startFaultProxy, type FaultKind } from './proxy.ts';
import { rng } from './rng.ts';
import { WireLog } from './wire.ts';
import { newHistory, runOp, type History, type OpKind } from './workload.ts';

const RESTART_ORDER: readonly RestartKind[] = ['stack', 'function', 'database'];

export interface RunOptions {
  seed: number;
  ops: number;
  devices?: number;
  users?: number;
  trips?: number;
  /** Share of requests the proxy tampers with. */
  faultRate?: number;
  /** Restarts spread over the run; from 3 on, in turn: the whole stack, the sync function's process (SIGKILL), Postgres alone. */
  restarts?: number;
  /** Access-token lifetime: short, so sessions refresh (and tokens expire) during the run. */
  jwtExpirySeconds?: number;
  logFile?: string;
  progress?: (line: string) => void;
}

export interface Figures {
  seed: number;
  ops: number;
  opsByKind: Partial<Record<OpKind | 'restart', number>>;
  acked: number;
  faults: Record<FaultKind | 'offline_spell' | 'reload' | 'restart' | 'kill_function' | 'restart_database' | 'token_refresh' | 'token_refresh_answer_lost', number>;
  requests: number;
  /** Pull requests by cursor kind (from the start: the 8 first syncs, then full resyncs). */
  pulls: WireLog['pulls'];
  present: number;
  superseded: number;
  conflicted: number;
  parkedEdits: number;
  lost: number;
  duplicated: number;
  divergent: number;
  stuck: number;
  parked: number;
  openConflicts: number;
  quiesceRounds: number;
  seconds: number;
}

export interface RunResult {
  figures: Figures;
  problems: Problem[];
  history: History;
}

export async function runFaults(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const { seed, ops } = options;
  const deviceCount = options.devices ?? 8;
  const userCount = options.users ?? 4;
  const say = options.progress ?? (() => {});
  const random = rng(seed);
  const stack = await startClusterStack(options.jwtExpirySeconds ?? 100, options.logFile ?? '/dev/null');
  const history = newHistory();
  const devices: Device[] = [];
  let refreshes = 0;
  let refreshesLost = 0;
  const plan = randomPlan(random.fork('faults'), options.faultRate ?? 0.08);
  plan.enabled = false; // set-up (sign-ins, first sync) runs without faults
  const wire = new WireLog();
  const proxy = await startFaultProxy(stack.apiUrl, {
    decide(method, path) {
      const decision = plan.decide(method, path);
      if (path.includes('grant_type=refresh_token')) {
        refreshes++;
        if (decision.kind === 'drop_response' || decision.kind === 'reset_mid_body') refreshesLost++;
      }
      return decision;
    },
    observe: (exchange) => wire.record(exchange),
  });
  try {
    const users: User[] = [];
    for (let i = 0; i < userCount; i++) users.push(await signUp(stack.direct, `fault${i}`));
    const trips: string[] = [];
    for (let t = 0; t < (options.trips ?? 3); t++) {
      const owner = users[t % userCount]!;
      const trip = await createTrip(stack.direct, owner, `Trip ${t}`);
      for (const member of users) if (member !== owner) await share(stack.direct, stack.sql, owner, member, trip, 'editor');
      trips.push(trip);
    }
    for (let d = 0; d < deviceCount; d++) {
      devices.push(await Device.open(d, users[d % userCount]!, proxy.url, stack.config.anonKey, sqlChecksum(stack)));
    }
    plan.enabled = true;
    say(`faults: seed ${seed}, ${ops} ops, ${deviceCount} devices, ${userCount} users, ${trips.length} trips`);

    // The run: devices concurrently; restarts at even intervals of the op count.
    const restartEvery = Math.floor(ops / ((options.restarts ?? 0) + 1));
    let done = 0;
    let restarting: Promise<void> | null = null;
    let restartCount = 0;
    // Fewer than 3 restarts: whole-stack ones only (the reduced run in `npm test`).
    const order: readonly RestartKind[] = (options.restarts ?? 0) >= 3 ? RESTART_ORDER : ['stack'];
    let nextRestart = options.restarts ? restartEvery : Infinity;
    const perDevice = Math.ceil(ops / deviceCount);
    await Promise.all(devices.map(async (device) => {
      const own = random.fork(`device${device.index}`);
      for (let i = 0; i < perDevice && done < ops; i++) {
        await runOp(device, own, trips, history, () => false);
        done++;
        if (done >= nextRestart && !restarting) {
          nextRestart += restartEvery;
          const kind = order[restartCount++ % order.length]!;
          history.events.push({ seq: history.next(), device: -1, kind: 'restart', ok: true, detail: kind });
          say(`faults: restarting (${kind}) at op ${done}`);
          restarting = stack.restart(kind).finally(() => { restarting = null; });
        }
        if (done % 1000 === 0) say(`faults: ${done} ops`);
      }
    }));
    if (restarting) await restarting;

    // Quiesce: faults off, everyone online, sync until nothing moves.
    plan.enabled = false;
    for (const device of devices) device.net.set(true);
    let rounds = 0;
    const lastErrors: (string | null)[] = devices.map(() => null);
    for (; rounds < 30; rounds++) {
      let moved = 0;
      for (const [i, device] of devices.entries()) {
        const summary = await device.engine.syncNow();
        moved += summary.pushed + summary.pulled;
        lastErrors[i] = summary.error ? `${summary.error.type}/${summary.error.code}: ${summary.error.message}` : null;
      }
      const waiting = (await Promise.all(devices.map((d) => d.engine.outbox.list()))).flat().filter((e) => !e.parked).length;
      if (moved === 0 && waiting === 0) break;
    }
    // A device that could not settle says why (its last sync's error and its state).
    for (const [i, device] of devices.entries()) {
      if (lastErrors[i]) say(`faults: device ${i} after quiescing: ${device.engine.status.get().state}, last sync error ${lastErrors[i]}`);
    }

    const result = await check(stack.sql, devices, history.acks, trips, wire);
    const count = (kind: Problem['kind']) => result.problems.filter((p) => p.kind === kind).length;
    const opsByKind: Figures['opsByKind'] = {};
    for (const e of history.events) opsByKind[e.kind] = (opsByKind[e.kind] ?? 0) + 1;
    const figures: Figures = {
      seed,
      ops: done,
      opsByKind,
      acked: result.acked,
      faults: {
        ...Object.fromEntries(FAULT_KINDS.map((k) => [k, proxy.counts[k]])) as Record<FaultKind, number>,
        offline_spell: devices.reduce((a, d) => a + d.net.spells, 0),
        reload: devices.reduce((a, d) => a + d.reloads, 0),
        restart: stack.restarts.stack,
        kill_function: stack.restarts.function,
        restart_database: stack.restarts.database,
        token_refresh: refreshes,
        token_refresh_answer_lost: refreshesLost,
      },
      requests: proxy.requests,
      pulls: { ...wire.pulls },
      present: result.present,
      superseded: result.superseded,
      conflicted: result.conflicted,
      parkedEdits: result.parkedEdits,
      lost: count('lost'),
      duplicated: count('duplicated'),
      divergent: count('divergent'),
      stuck: count('stuck'),
      parked: result.parked,
      openConflicts: result.openConflicts,
      quiesceRounds: rounds + 1,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    return { figures, problems: result.problems, history };
  } finally {
    await Promise.all(devices.map((d) => d.engine.stop().catch(() => {})));
    await proxy.close();
    await stack.stop();
  }
}

/** The seed, the problems and the history of just the rows they concern (the shrunk history). */
export function describeFailure(result: RunResult, limit = 60): string {
  const rows = new Set(result.problems.map((p) => p.row));
  const lines = [
    `fault run failed: seed ${result.figures.seed} (PACKSYNC_FAULT_SEED=${result.figures.seed} replays the same workload and fault decisions)`,
    // The first few of each kind, so one kind cannot hide another.
    ...(['lost', 'duplicated', 'divergent', 'stuck'] as const).flatMap((kind) => {
      const of = result.problems.filter((p) => p.kind === kind);
      return of.length === 0 ? [] : [`  ${of.length} ${kind}:`, ...of.slice(0, 6).map((p) => `    ${p.detail}`)];
    }),
    `history of the ${rows.size} row(s) concerned (${result.history.events.length} events in all):`,
    ...result.history.events.filter((e) => (e.row && rows.has(e.row)) || e.kind === 'restart').slice(0, limit)
      .map((e) => `  #${e.seq} ${e.device < 0 ? 'stack' : `device ${e.device}`} ${e.kind}${e.row ? ` ${e.row}` : ''}${e.ok ? '' : ` FAILED ${e.detail}`}`),
  ];
  return lines.join('\n');
}
