/// <reference path="./pouchdb-browser.d.ts" />
// Bundled for Chromium beside entry.ts: PouchDB (IndexedDB adapter), the peer
// of measure 7, replicating with an express-pouchdb server.
import PouchDB from 'pouchdb-browser';

const api = {
  /** n item-like documents written locally in one bulkDocs (setup, not timed by the measure). */
  async fill(name: string, tripId: string, n: number) {
    const db = new PouchDB(name);
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: crypto.randomUUID(), trip_id: tripId, name: `item ${i}`, category: 'misc', quantity: 1, packed: false, notes: '',
    }));
    for (let i = 0; i < docs.length; i += 1000) await db.bulkDocs(docs.slice(i, i + 1000));
    return (await db.info()).doc_count;
  },

  /** One-shot replication to (push) or from (pull) the server, timed. */
  async replicate(name: string, remote: string, direction: 'push' | 'pull') {
    const db = new PouchDB(name);
    const t0 = performance.now();
    const result = direction === 'push' ? await db.replicate.to(remote) : await db.replicate.from(remote);
    const ms = performance.now() - t0;
    return { ms, written: result.docs_written, docs: (await db.info()).doc_count };
  },
};

(globalThis as { pouchBench?: typeof api }).pouchBench = api;
export type PouchApi = typeof api;
