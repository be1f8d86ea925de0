// Edge function `sync`: push, pull, invite, history, stream and health. The
// logic lives in _shared/sync (tested without HTTP); this file only wires it
// to the runtime.
import { syncHandlerFromEnv } from '../_shared/sync/env.ts';

const handler = syncHandlerFromEnv((name) => Deno.env.get(name));

/** A shutdown that cannot hang: whatever is still closing after this long is cut off. */
const SHUTDOWN_GRACE_MS = 3000;
let stopping: Promise<void> | undefined;

/**
 * Tell open streams (`closing: shutdown`) so clients reconnect and pull at
 * once instead of waiting for a dead socket. Hosted Supabase ends a worker
 * with the `beforeunload` event (wall-clock or idle limit), not a signal;
 * the local stack and service managers send SIGTERM.
 */
function shutdown(exit: boolean): Promise<void> {
  stopping ??= Promise.race([
    handler.close().catch(() => {}),
    new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS)),
  ]).finally(() => {
    if (exit) Deno.exit(0);
  });
  return stopping;
}

addEventListener('beforeunload', () => void shutdown(false));
try {
  Deno.addSignalListener('SIGTERM', () => void shutdown(true));
  Deno.addSignalListener('SIGINT', () => void shutdown(true));
} catch {
  // the hosted runtime has no signal listeners
}

Deno.serve(handler.handle);
