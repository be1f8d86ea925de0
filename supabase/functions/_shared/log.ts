// One structured JSON line per request. Entries are built from known fields
// only (route, user id, counts, outcome); tokens and bodies never reach them.
export type LogEntry = Record<string, unknown>;

export interface Logger {
  log(entry: LogEntry): void;
}

export const jsonLogger: Logger = {
  log: (entry) => console.log(JSON.stringify(entry)),
};

export const silentLogger: Logger = { log: () => {} };

/** Keeps entries in memory; for tests. */
export function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (entry) => void entries.push(entry) };
}
