// Edge function `sync`: push, pull, stream and health. The logic lives in
// _shared/sync (tested without HTTP); this file only wires it to the runtime.
import { syncHandlerFromEnv } from '../_shared/sync/env.ts';

const handler = syncHandlerFromEnv(Deno.env.toObject());

Deno.serve(handler.handle);
