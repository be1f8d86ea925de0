// Measure 7: the peer, same run. PouchDB in Chromium replicating 10 000
// documents with express-pouchdb (leveldb): push from device A, then pull into
// an empty device B; against Packsync moving 10 000 items the same way: A's
// queued creates pushed (online → outbox empty), then B's first sync into an
// empty IndexedDB. Setup (writing the 10 000 locally) is not timed on either side.
import { launch } from '../lib/browser.ts';
import { chromiumCpu, cpuSince, perThousand } from '../lib/cpu.ts';
import { connect, createTrip } from '../lib/db.ts';
import { BENCH_PASSWORD, signUp } from '../lib/http.ts';
import { startPouchServer } from '../lib/pouch-server.ts';
import { rotate } from '../lib/rounds.ts';
import { describeRequests } from '../lib/server-log.ts';
import { figure, ratios } from '../lib/stats.ts';
import type { Measure } from '../lib/types.ts';

const DOCS = 10_000;
const ROUNDS = Number(process.env.PACKSYNC_BENCH_PEER_ROUNDS ?? 1);

export const peer: Measure = {
  name: 'peer',
  title: '7. The peer: PouchDB ↔ express-pouchdb vs Packsync, 10 000 documents',
  async run(ctx) {
    const sql = connect(ctx.dbUrl, 2);
    const server = await startPouchServer();
    const browser = await launch(['entry', 'pouch']);
    try {
      const pouch: { push: number; pull: number }[] = [];
      const packsync: { push: number; pull: number }[] = [];
      const splits: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        for (const v of rotate(['pouch', 'packsync'] as const, r)) {
          if (v === 'pouch') {
            const remote = `${server.url}/bench-${r}`;
            const a = await browser.device();
            await a.pouch('fill', 'a', 'trip', DOCS);
            const push = await a.pouch('replicate', 'a', remote, 'push');
            const b = await browser.device();
            const pull = await b.pouch('replicate', 'b', remote, 'pull');
            if (push.written !== DOCS || pull.docs !== DOCS) throw new Error(`PouchDB moved ${push.written} up and ${pull.docs} down of ${DOCS}`);
            pouch.push({ push: push.ms, pull: pull.ms });
            await a.close();
            await b.close();
            ctx.progress(`round ${r + 1}: PouchDB push ${(push.ms / 1000).toFixed(1)} s, pull ${(pull.ms / 1000).toFixed(1)} s`);
          } else {
            const user = await signUp(ctx, `peer-${Date.now()}-${r}@bench.test`);
            const trip = await createTrip(sql, user.id, 'Peer bench');
            const open = { url: ctx.apiUrl, anonKey: ctx.anonKey, email: user.email, password: BENCH_PASSWORD, stream: false };
            const a = await browser.device();
            await a.call('open', open);
            await a.call('start');
            await a.call('queue', trip, DOCS, DOCS);
            const pushMark = ctx.serverLog.mark();
            const pushCpu = chromiumCpu();
            const push = await a.call('drain');
            splits.push(`push leg: ${describeRequests(ctx.serverLog.since(pushMark, user.id), push.ms)}; Chromium CPU per 1000 items: ${perThousand(cpuSince(pushCpu), DOCS)}`);
            if (push.pending !== 0) throw new Error(`Packsync left ${push.pending} changes queued`);
            const b = await browser.device();
            await b.call('open', open);
            const pullMark = ctx.serverLog.mark();
            const pullCpu = chromiumCpu();
            const pull = await b.call('initialSync');
            splits.push(`pull leg: ${describeRequests(ctx.serverLog.since(pullMark, user.id), pull.ms)}; Chromium CPU per 1000 items: ${perThousand(cpuSince(pullCpu), DOCS)}`);
            if (pull.items !== DOCS) throw new Error(`Packsync's B has ${pull.items} of ${DOCS} items`);
            await a.call('stop');
            await b.call('stop');
            await a.close();
            await b.close();
            packsync.push({ push: push.ms, pull: pull.ms });
            ctx.progress(`round ${r + 1}: Packsync push ${(push.ms / 1000).toFixed(1)} s, pull ${(pull.ms / 1000).toFixed(1)} s`);
          }
        }
      }
      const total = (xs: { push: number; pull: number }[]) => xs.map((x) => (x.push + x.pull) / 1000);
      return {
        chromium: browser.version,
        figures: [
          figure({ id: 'peer.speedup', label: 'Packsync ÷ PouchDB, end to end (push from A + pull into empty B)', unit: '× faster',
            samples: ratios(total(pouch), total(packsync)), goal: { direction: 'at_least', value: 5, source: 'issue #12' },
            baseline: `PouchDB ${'9.0.0'} (IndexedDB) ↔ express-pouchdb 4.2.0 (${server.adapter}), same browser, same rounds` }),
          figure({ id: 'peer.packsync_s', label: 'Packsync: 10 000 items A → server → B', unit: 's', samples: total(packsync) }),
          figure({ id: 'peer.pouch_s', label: 'PouchDB: 10 000 docs A → server → B', unit: 's', samples: total(pouch) }),
          figure({ id: 'peer.packsync_push_s', label: 'Packsync push leg', unit: 's', samples: packsync.map((x) => x.push / 1000) }),
          figure({ id: 'peer.packsync_pull_s', label: 'Packsync pull leg', unit: 's', samples: packsync.map((x) => x.pull / 1000) }),
          figure({ id: 'peer.pouch_push_s', label: 'PouchDB push leg', unit: 's', samples: pouch.map((x) => x.push / 1000) }),
          figure({ id: 'peer.pouch_pull_s', label: 'PouchDB pull leg', unit: 's', samples: pouch.map((x) => x.pull / 1000) }),
        ],
        notes: [`${ROUNDS} round(s), the two systems alternating first (PACKSYNC_BENCH_PEER_ROUNDS; one by default to keep the run within 20 minutes). PouchDB: bulkDocs of 10 000 item-like documents into A (untimed), A.replicate.to(server), then B.replicate.from(server) into an empty database. Packsync: 10 000 engine.create() offline on A (untimed), then online until the outbox is empty; then B's first sync from a null cursor until status.initialSync.done. The server side is leveldb via leveldown's prebuilt binary (no memdown needed).`],
        evidence: { 'Packsync: the server\'s share of each leg (the sync function\'s request log)': splits.join('\n') },
      };
    } finally {
      await browser.close();
      await server.stop();
      await sql.end({ timeout: 5 });
    }
  },
};
