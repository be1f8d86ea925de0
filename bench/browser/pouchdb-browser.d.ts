// The little of pouchdb-browser's API the bench uses (the package ships no types).
declare module 'pouchdb-browser' {
  interface ReplicationResult {
    docs_written: number;
  }
  export default class PouchDB {
    constructor(name: string);
    bulkDocs(docs: object[]): Promise<unknown>;
    info(): Promise<{ doc_count: number }>;
    replicate: {
      to(remote: string): Promise<ReplicationResult>;
      from(remote: string): Promise<ReplicationResult>;
    };
  }
}
