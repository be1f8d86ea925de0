// Deno entry for one edge function, as Supabase's edge runtime runs a
// worker: the function calls `Deno.serve(handler)` with no port, so this
// shim pins every serve call to the port the gateway chose, then imports
// the function module. Runs under Deno, not Node.
const port = Number(Deno.env.get('PACKSYNC_WORKER_PORT'));
const entry = Deno.args[0];
if (!port || !entry) throw new Error('worker.ts needs PACKSYNC_WORKER_PORT and the function entry path');

const serve = Deno.serve.bind(Deno);
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler = typeof args[0] === 'function' ? args[0] : args[1] ?? args[0].handler;
  const options = typeof args[0] === 'object' ? args[0] : {};
  return serve(
    { ...options, port, hostname: '127.0.0.1', onListen: () => console.log(`packsync-worker-ready ${port}`) },
    handler,
  );
};

await import(new URL(entry, `file://${Deno.cwd()}/`).href);
