import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapWithDeadline } from './worker-pool.ts';

// A worker that doubles a number, spins forever on 'hang' (as a solver that ignores its time
// limit would) and fails on 'fail'.
const script = join(mkdtempSync(join(tmpdir(), 'invex-pool-')), 'double.worker.mjs');
writeFileSync(
  script,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ jobs, context }) => {
  const job = jobs[0];
  if (job === 'fail') return parentPort.postMessage({ error: 'no such job' });
  if (job === 'hang') for (;;) {}
  parentPort.postMessage({ results: [job * context.factor] });
});
`,
);
const url = pathToFileURL(script);

describe('jobs on workers with a deadline', () => {
  it('stops a job that overruns its deadline, gives it the fallback, and goes on with the rest', async () => {
    const fell: number[] = [];
    const results = await mapWithDeadline(
      url,
      [1, 'hang', 3, 'hang', 5, 6] as (number | string)[],
      { factor: 2 },
      () => 400,
      (_, index) => {
        fell.push(index);
        return -1;
      },
      2,
    );
    expect(results).toEqual([2, -1, 6, -1, 10, 12]);
    expect(fell.sort()).toEqual([1, 3]);
  });

  it('fails when a job fails, naming the error', async () => {
    await expect(
      mapWithDeadline(
        url,
        [1, 'fail'] as (number | string)[],
        { factor: 2 },
        () => 5000,
        () => -1,
        1,
      ),
    ).rejects.toThrow(/no such job/);
  });
});
