import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { canonicalJsonSchema } from '../../ingest/index.ts';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of events and master data (as in docs/events.schema.json)')
    .option('--out <file>', 'write to a file instead')
    .action(async (options: { out?: string }) => {
      const text = `${JSON.stringify(canonicalJsonSchema(), null, 2)}\n`;
      if (options.out) await writeFile(options.out, text);
      else process.stdout.write(text);
    });
}
