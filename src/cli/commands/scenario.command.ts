import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvexError } from '../../core/errors.ts';
import { prepareWhatIf, runWhatIf, type WhatIfReport } from '../../replenish/index.ts';
import { loadScenario, type WhatIf } from '../../twin/index.ts';
import { printJson } from '../output.ts';
import { seedOption } from './sim.command.ts';

const collect = (value: string, previous: string[]) => [...previous, value];
const bad = (flag: string, value: string, form: string) =>
  new InvexError('invalid_input', 'request_invalid', `${flag} ${value}: expected ${form}`);
const int = (text: string | undefined, fallback?: number) => (text === undefined ? fallback : Number(text));

/** `SUP01:14@20[+30]`: supplier SUP01 slips 14 days for orders placed from day 20 (for 30 days). */
export function parseSlip(value: string): WhatIf['supplier_slips'][number] {
  const m = /^([^:@+]+):(\d+)@(\d+)(?:\+(\d+))?$/.exec(value);
  if (!m) throw bad('--slip', value, 'SUPPLIER:DAYS@DAY[+DURATION], e.g. SUP01:14@20');
  return { supplier: m[1]!, days: Number(m[2]), day: Number(m[3]), duration_days: int(m[4], 30)! };
}

/** `SKU00012:florida@30+7x2.5`: a promotion of the SKU in the region from day 30 for 7 days at 2.5 times. */
export function parsePromotion(value: string): WhatIf['promotions'][number] {
  const m = /^([^:@]+):([^@]+)@(\d+)\+(\d+)x(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw bad('--promotion', value, 'SKU:REGION@DAY+DAYSxUPLIFT, e.g. SKU00012:florida@30+7x2.5');
  return { sku: m[1]!, region: m[2]!, day: Number(m[3]), days: Number(m[4]), uplift: Number(m[5]) };
}

/** `S003@15[+2]`: store S003 closed on day 15 (for 2 days). */
export function parseClosure(value: string): WhatIf['closures'][number] {
  const m = /^([^@]+)@(\d+)(?:\+(\d+))?$/.exec(value);
  if (!m) throw bad('--close', value, 'STORE@DAY[+DAYS], e.g. S003@15');
  return { store: m[1]!, day: Number(m[2]), days: int(m[3], 1)! };
}

export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .description(
      'What-if on the digital twin: run a scenario twice with the same customers, without and with a supplier slip, ' +
        'an added promotion or a store closure, and report the change in stock-outs, lost sales and cost, and how ' +
        'the planner responded (the orders and transfers it made differently). Days count from the scenario start (0).',
    )
    .requiredOption(
      '--scenario <name>',
      'a shipped scenario or a scenario file (its what_if section applies too)',
    )
    .option('--seed <n>', 'random seed', '1')
    .option('--slip <spec>', 'SUPPLIER:DAYS@DAY[+DURATION], e.g. SUP01:14@20 (repeatable)', collect, [])
    .option(
      '--promotion <spec>',
      'SKU:REGION@DAY+DAYSxUPLIFT, e.g. SKU00012:florida@30+7x2.5 (repeatable)',
      collect,
      [],
    )
    .option('--close <spec>', 'STORE@DAY[+DAYS], e.g. S003@15 (repeatable)', collect, [])
    .option('--policy <policy>', 'invex or baseline', 'invex')
    .option('--out <file>', 'also write the report as JSON to this file')
    .option('--json', 'print the report as JSON')
    .action(
      async (options: {
        scenario: string;
        seed: string;
        slip: string[];
        promotion: string[];
        close: string[];
        policy: string;
        out?: string;
        json?: boolean;
      }) => {
        const seed = seedOption(options.seed);
        if (options.policy !== 'invex' && options.policy !== 'baseline')
          throw new InvexError(
            'invalid_input',
            'request_invalid',
            `--policy must be invex or baseline; got ${options.policy}`,
          );
        const scenario = prepareWhatIf(loadScenario(options.scenario), {
          supplier_slips: options.slip.map(parseSlip),
          promotions: options.promotion.map(parsePromotion),
          closures: options.close.map(parseClosure),
        });
        const report = await runWhatIf(scenario, seed, { policy: options.policy });
        if (options.out) await writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
        if (options.json) return printJson(report);
        process.stdout.write(`${reportText(report)}\n`);
      },
    );
}

function reportText(r: WhatIfReport): string {
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const signed = (x: number) => `${x > 0 ? '+' : ''}${n(x)}`;
  const rows: [string, number, number, number][] = [
    ['lost sales units', r.base.lost_sales_units, r.withWhatIf.lost_sales_units, r.delta.lost_sales_units],
    ['lost sales value', r.base.lost_sales_value, r.withWhatIf.lost_sales_value, r.delta.lost_sales_value],
    ['stockout days', r.base.stockout_days, r.withWhatIf.stockout_days, r.delta.stockout_days],
    ['DC short units', r.base.dc_short_units, r.withWhatIf.dc_short_units, r.delta.dc_short_units],
    ['cancellations', r.base.cancellations, r.withWhatIf.cancellations, r.delta.cancellations],
    ['purchase orders', r.base.purchase_orders, r.withWhatIf.purchase_orders, r.delta.purchase_orders],
    ['store-to-store lines', r.base.store_transfers, r.withWhatIf.store_transfers, r.delta.store_transfers],
    ['total cost', r.base.total_cost, r.withWhatIf.total_cost, r.delta.total_cost],
  ];
  const head = ['', 'as is', 'what-if', 'change'];
  const body = rows.map(([name, a, b, d]) => [name, n(a), n(b), signed(d)]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]!))).join('  ');
  const what = [
    ...r.whatIf.supplier_slips.map(
      (s) => `${s.supplier} slips ${s.days} days from day ${s.day} for ${s.duration_days} days`,
    ),
    ...r.whatIf.promotions.map(
      (p) => `promotion of ${p.sku} in ${p.region} from day ${p.day} for ${p.days} days at ${p.uplift}x`,
    ),
    ...r.whatIf.closures.map((c) => `${c.store} closed from day ${c.day} for ${c.days} day(s)`),
  ];
  return [
    `${r.scenario} (seed ${r.seed}), policy ${r.policy}; what-if: ${what.join('; ')}`,
    line(head),
    ...body.map(line),
    '',
    r.responses.length > 0
      ? 'responses (biggest changes in what was ordered and moved, by value):'
      : 'no change in orders or transfers',
    ...r.responses.map((x) => `  ${x.why}`),
  ].join('\n');
}
