import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { loadScenario, runScenario } from '../../twin/index.ts';
import { printJson } from '../output.ts';

export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('The digital twin: a simulated retail network with injected faults');
  sim
    .command('run')
    .description(
      'Simulate a scenario and write master/, events.ndjson (arrival order), labels.json and truth.ndjson to a folder',
    )
    .requiredOption('--scenario <name>', 'a shipped scenario (quiet, demo) or a scenario file')
    .option('--seed <n>', 'random seed: the same seed gives byte-identical output', '1')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { scenario: string; seed: string; out: string; json?: boolean }) => {
      const seed = Number(options.seed);
      if (!Number.isSafeInteger(seed)) {
        throw new InvexError(
          'invalid_input',
          'request_invalid',
          `--seed must be a whole number; got ${options.seed}`,
        );
      }
      const scenario = loadScenario(options.scenario);
      const summary = await runScenario(scenario, seed, options.out, (day, events) => {
        if (process.stderr.isTTY && !options.json)
          process.stderr.write(`\rday ${day + 1}/${scenario.days}: ${events} events`);
      });
      if (process.stderr.isTTY && !options.json) process.stderr.write('\n');
      if (options.json) return printJson(summary);
      process.stdout.write(
        `${summary.scenario} (seed ${summary.seed}): ${summary.days} days, ${summary.events} events, ` +
          `${summary.labels} faults labelled, in ${summary.seconds.toFixed(1)} s ` +
          `(${Math.round(summary.events / summary.seconds)} events/s) -> ${options.out}\n`,
      );
    });
}
