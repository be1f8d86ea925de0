// A runnable tour of @packsync/sync in Node, against the local stack:
//   npm run stack            (in another terminal; or set PACKSYNC_API_URL/…_ANON_KEY for yours)
//   npx tsx packages/sync/examples/quickstart.ts
// In a browser leave out indexedDB/IDBKeyRange/fetch: the defaults are the browser's.
import { createClient } from '@supabase/supabase-js';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import WebSocket from 'ws';
import { createSyncEngine } from '../src/index.ts';
import { LOCAL_ANON_KEY } from '../../stack/src/config.ts';

const url = process.env.PACKSYNC_API_URL ?? 'http://127.0.0.1:54321';
const anonKey = process.env.PACKSYNC_ANON_KEY ?? LOCAL_ANON_KEY;

const supabase = createClient(url, anonKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
const email = `quickstart-${crypto.randomUUID().slice(0, 8)}@example.test`;
const { error } = await supabase.auth.signUp({ email, password: 'correct horse battery staple' });
if (error) throw error;

const engine = createSyncEngine({ supabase, url, anonKey, indexedDB: new IDBFactory(), IDBKeyRange });
engine.status.subscribe((s) => console.log(`status: ${s.state}, ${s.pending} queued, ${s.conflicts} conflicts`));
await engine.start();

const trip = await engine.create('trips', { name: 'Lisbon', start_date: '2027-05-01', end_date: '2027-05-04' });
const socks = await engine.create('items', { trip_id: trip, name: 'Socks', category: 'clothing', quantity: 4 });
await engine.update('items', socks, { packed: true }); // durable now; merged into the queued create
console.log('outbox:', (await engine.outbox.list()).map((e) => `${e.op} ${e.entity} ${JSON.stringify(e.fields)}`));

const summary = await engine.syncNow();
console.log('synced:', { pushed: summary.pushed, pulled: summary.pulled, error: summary.error?.message ?? null });
console.log('on the device:', await engine.get('items', socks));
console.log('health:', (await engine.health()).status);

const stopWatching = engine.watch(() => engine.list('items', { trip_id: trip }), (items) => console.log(`${items.length} item(s) in the trip`));
await engine.delete('items', socks);
await engine.syncNow();
stopWatching();
await engine.stop();
await supabase.auth.signOut();
