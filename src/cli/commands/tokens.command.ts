import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { createToken, listTokens, ROLES, type Role, revoke } from '../../govern/index.ts';
import { configFrom, type GlobalOptions, openExclusive } from '../context.ts';
import { printJson } from '../output.ts';

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description("API tokens: an operator's way in without the API (needs direct access to the database)");
  tokens
    .command('create')
    .description('Mint a token; its secret is printed once')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'viewer')
    .option('--json', 'print as JSON')
    .action(async (options: { name: string; role: string; json?: boolean }, command: Command) => {
      if (!(ROLES as readonly string[]).includes(options.role)) {
        throw new InvexError('invalid_input', 'request_invalid', `--role must be one of ${ROLES.join(', ')}`);
      }
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openExclusive(config, 'invex tokens create');
      try {
        const issued = await createToken(
          db,
          options.name,
          options.role as Role,
          `cli:${process.env.USER ?? 'operator'}`,
        );
        if (options.json) printJson(issued);
        else process.stdout.write(`${issued.id} (${issued.role}) ${issued.name}\n${issued.token}\n`);
      } finally {
        await db.close();
      }
    });
  tokens
    .command('list')
    .description('List tokens (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openExclusive(config, 'invex tokens list');
      try {
        const list = await listTokens(db);
        if (options.json) return printJson(list);
        for (const t of list) {
          const state = t.revoked_at ? `revoked ${t.revoked_at}` : `last used ${t.last_used_at ?? 'never'}`;
          process.stdout.write(`${t.id}  ${t.role.padEnd(10)} ${t.name}  (${state})\n`);
        }
      } finally {
        await db.close();
      }
    });
  tokens
    .command('revoke')
    .description('Revoke a token by id')
    .argument('<id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const db = await openExclusive(config, 'invex tokens revoke');
      try {
        const record = await revoke(db, id);
        process.stdout.write(`revoked ${record.id} (${record.name}) at ${record.revoked_at}\n`);
      } finally {
        await db.close();
      }
    });
}
