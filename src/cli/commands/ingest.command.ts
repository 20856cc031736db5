import { basename } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  DEFAULT_BATCH_SIZE,
  emptyResult,
  fileRecords,
  type IngestResult,
  ingestStream,
  mergeResults,
  ndjsonRecords,
  type RawRecord,
  type ReadProgress,
} from '../../ingest/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { ingestSummary, printJson } from '../output.ts';
import type { RemoteClient } from '../remote-client.ts';

/** Through the server: records travel as NDJSON lines; line numbers are mapped back to the file's. */
async function sendRemote(client: RemoteClient, batch: RawRecord[]): Promise<IngestResult> {
  const lines = batch.map((r) => (r.value === undefined ? (r.text ?? '') : JSON.stringify(r.value)));
  const result = await client.ingestNdjson(lines);
  for (const rejection of result.rejections) {
    const original = batch[rejection.record - 1]?.position ?? rejection.record;
    rejection.message = rejection.message.replace(/^record \d+/, `record ${original}`);
    rejection.record = original;
  }
  return result;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'Ingest events from NDJSON (.ndjson/.jsonl), JSON array (.json) or CSV (.csv) files; - reads NDJSON from standard input',
    )
    .argument('<files...>', 'files to ingest, in order')
    .option('--batch <n>', 'records per transaction', (v) => Number.parseInt(v, 10), DEFAULT_BATCH_SIZE)
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { batch: number; json?: boolean }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex ingest');
      const total = emptyResult();
      const started = performance.now();
      try {
        for (const file of files) {
          const result = emptyResult();
          // The bar follows the bytes read (the record count of a file is unknown until the end).
          const read: ReadProgress = { bytes: 0, total: 0 };
          const bar =
            process.stderr.isTTY && !options.json
              ? new SingleBar(
                  {
                    format: `${basename(file)} {bar} {percentage}% | {events} events | {rate} events/s | {duration}s`,
                    stream: process.stderr,
                    hideCursor: true,
                  },
                  Presets.shades_classic,
                )
              : undefined;
          const records = file === '-' ? ndjsonRecords(process.stdin) : fileRecords(file, read);
          const fileStart = performance.now();
          bar?.start(1, 0, { events: 0, rate: 0 });
          const progress = (done: IngestResult) => {
            if (read.total > 0) bar?.setTotal(read.total);
            bar?.update(read.total > 0 ? read.bytes : 0, {
              events: done.received,
              rate: Math.round(done.received / ((performance.now() - fileStart) / 1000)),
            });
          };
          const origin = `file:${basename(file)}`;
          if (target.kind === 'local') {
            mergeResults(
              result,
              await ingestStream(target.db, records, { origin, batchSize: options.batch, onBatch: progress }),
            );
          } else {
            let batch: RawRecord[] = [];
            const flush = async () => {
              if (batch.length === 0) return;
              mergeResults(result, await sendRemote(target.client, batch));
              batch = [];
              progress(result);
            };
            for await (const record of records) {
              batch.push(record);
              if (batch.length >= options.batch) await flush();
            }
            await flush();
          }
          bar?.stop();
          mergeResults(total, result);
          if (!options.json) {
            const seconds = (performance.now() - fileStart) / 1000;
            process.stdout.write(
              `${ingestSummary(file, result)}\n  ${seconds.toFixed(1)} s, ${Math.round(result.received / Math.max(seconds, 1e-3))} events/s\n`,
            );
          }
        }
      } finally {
        await closeTarget(target);
      }
      if (options.json) printJson({ ...total, seconds: (performance.now() - started) / 1000 });
    });
}
