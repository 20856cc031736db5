// Worker thread entry for what-ifs asked for over the API (see what-if-runs.service.ts): a
// twin run takes seconds to minutes of CPU, which must not stall the server's event loop.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runWhatIf } = await import('./what-if.ts');

parentPort.on('message', async ({ request }) => {
  try {
    const report = await runWhatIf(request.scenario, request.seed, { policy: request.policy });
    parentPort.postMessage({ report });
  } catch (error) {
    parentPort.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
