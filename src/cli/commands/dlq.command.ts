import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import {
  type DeadLetter,
  listDeadLetters,
  REJECTION_REASONS,
  type RejectionReason,
  replayDeadLetters,
} from '../../ingest/index.ts';
import { closeTarget, configFrom, type GlobalOptions, openTarget } from '../context.ts';
import { ingestSummary, printJson } from '../output.ts';

function reasonOption(value: string | undefined): RejectionReason | undefined {
  if (value === undefined) return undefined;
  if (!(REJECTION_REASONS as readonly string[]).includes(value)) {
    throw new InvexError(
      'invalid_input',
      'request_invalid',
      `--reason must be one of ${REJECTION_REASONS.join(', ')}`,
    );
  }
  return value as RejectionReason;
}

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('Dead letters: records that could not be applied');
  dlq
    .command('list')
    .description('List dead letters (open ones by default)')
    .option('--status <status>', 'open, resolved or all', 'open')
    .option('--reason <reason>', `one of ${REJECTION_REASONS.join(', ')}`)
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'print as JSON')
    .action(
      async (
        options: { status: string; reason?: string; limit: number; json?: boolean },
        command: Command,
      ) => {
        if (!['open', 'resolved', 'all'].includes(options.status)) {
          throw new InvexError('invalid_input', 'request_invalid', '--status must be open, resolved or all');
        }
        const status = options.status === 'all' ? undefined : (options.status as 'open' | 'resolved');
        const reason = reasonOption(options.reason);
        const limit = Math.min(Math.max(options.limit || 50, 1), 1000);
        const config = configFrom(command.optsWithGlobals<GlobalOptions>());
        const target = await openTarget(config, 'invex dlq list');
        let letters: DeadLetter[];
        try {
          if (target.kind === 'local') letters = await listDeadLetters(target.db, { status, reason, limit });
          else {
            const query = new URLSearchParams({ limit: String(limit) });
            if (status) query.set('status', status);
            if (reason) query.set('reason', reason);
            letters = (await target.client.deadLetters(query)).items as DeadLetter[];
          }
        } finally {
          await closeTarget(target);
        }
        if (options.json) return printJson(letters);
        if (letters.length === 0) return void process.stdout.write('no dead letters\n');
        for (const l of letters) {
          process.stdout.write(
            `${l.id}  ${l.status.padEnd(8)} ${l.reason.padEnd(16)} x${l.attempts}  ${l.message}\n`,
          );
        }
      },
    );
  dlq
    .command('replay')
    .description(
      'Send open dead letters through ingestion again, after fixing their cause (e.g. adding the missing SKU)',
    )
    .option('--id <ids...>', 'only these dead letters')
    .option('--reason <reason>', 'only dead letters with this reason')
    .option('--json', 'print as JSON')
    .action(async (options: { id?: string[]; reason?: string; json?: boolean }, command: Command) => {
      const reason = reasonOption(options.reason);
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const target = await openTarget(config, 'invex dlq replay');
      try {
        const filter = { ids: options.id, reason };
        const result =
          target.kind === 'local'
            ? await replayDeadLetters(target.db, filter)
            : await target.client.replay(filter);
        if (options.json) printJson(result);
        else process.stdout.write(`${ingestSummary(`replayed ${result.replayed} dead letters`, result)}\n`);
      } finally {
        await closeTarget(target);
      }
    });
}
