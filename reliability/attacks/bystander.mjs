// The bystander of the burst test, in a thread of its own: it pulls in a
// loop and times each pull. In the test's own thread its timings would also
// count the wait for that thread's event loop, busy with 64 flooding clients
// — the load generator's queue, not the server's.
// Plain JavaScript: a worker thread does not go through Vitest's TypeScript
// transform. Messages: in `{ url, headers, body }`, then `'stop'`; out
// `{ latencies, failures }` once stopped.
import { parentPort, workerData } from 'node:worker_threads';

const { url, headers, body, minimum } = workerData;
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
});

const latencies = [];
let failures = 0;
while (!stopped || latencies.length + failures < minimum) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  if (response.status === 200) latencies.push(performance.now() - started);
  else failures++;
  // Let the stop message in between pulls.
  await new Promise((resolve) => setImmediate(resolve));
}
parentPort.postMessage({ latencies, failures });
