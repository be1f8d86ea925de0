// Edge function `sync`: push, pull, stream and health. The logic lives in
// _shared/sync (tested without HTTP); this file only wires it to the runtime.
import { syncHandlerFromEnv } from '../_shared/sync/env.ts';

const handler = syncHandlerFromEnv(Deno.env.toObject());

// On shutdown, tell open streams (`closing: shutdown`) so clients reconnect
// at once instead of waiting for a dead socket.
try {
  Deno.addSignalListener('SIGTERM', () => {
    handler.close().finally(() => Deno.exit(0));
  });
} catch {
  // runtimes without signal listeners
}

Deno.serve(handler.handle);
