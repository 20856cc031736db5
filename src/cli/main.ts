import { Command, CommanderError } from 'commander';
import { isInvexError } from '../core/errors.ts';
import { registerDb } from './commands/db.command.ts';
import { registerDemo } from './commands/demo.command.ts';
import { registerDlq } from './commands/dlq.command.ts';
import { registerEval } from './commands/eval.command.ts';
import { registerDetect, registerExceptions } from './commands/exceptions.command.ts';
import { registerForecast } from './commands/forecast.command.ts';
import { registerIngest } from './commands/ingest.command.ts';
import { registerMaster } from './commands/master.command.ts';
import { registerPlan } from './commands/plan.command.ts';
import { registerScenario } from './commands/scenario.command.ts';
import { registerSchema } from './commands/schema.command.ts';
import { registerServe } from './commands/serve.command.ts';
import { registerSim } from './commands/sim.command.ts';
import { registerStock } from './commands/stock.command.ts';
import { registerTokens } from './commands/tokens.command.ts';
import { VERSION } from './context.ts';

export function buildProgram(): Command {
  const program = new Command('invex')
    .version(VERSION)
    .description(
      'invex: inventory exception control tower.\n\n' +
        'Database: PostgreSQL when DATABASE_URL is set, else the embedded database in --data DIR\n' +
        '(or INVEX_DATA, default ./.invex). Every command runs pending migrations first.',
    )
    .option('--data <dir>', 'embedded data directory (default INVEX_DATA or ./.invex)')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerIngest(program);
  registerMaster(program);
  registerStock(program);
  registerDlq(program);
  registerDb(program);
  registerTokens(program);
  registerSchema(program);
  registerDemo(program);
  registerSim(program);
  registerScenario(program);
  registerExceptions(program);
  registerDetect(program);
  registerEval(program);
  registerPlan(program);
  registerForecast(program);
  return program;
}

/** Exit codes: 0 ok, 1 unexpected failure, 2 bad input, 3 database busy or unavailable. */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (isInvexError(error)) {
      process.stderr.write(`invex: ${error.message}\n`);
      process.exitCode =
        error.category === 'conflict' || error.category === 'unavailable'
          ? 3
          : error.category === 'internal'
            ? 1
            : 2;
      return;
    }
    process.stderr.write(`invex: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

// A closed pipe (`invex schema | head`) is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await main(process.argv);
