import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInvex } from '../cli.test-support.ts';

// The forecast commands as a user runs them: the real binary on an embedded data directory.
const dir = mkdtempSync(join(tmpdir(), 'invex-forecast-cli-'));
const DAY0 = Date.parse('2025-09-01T00:00:00Z');
const day = (i: number) => new Date(DAY0 + i * 86_400_000).toISOString().slice(0, 10);

const run = (args: string[]) => runInvex(join(dir, 'data'), args, { env: { USER: 'planner1' }, cwd: dir });

beforeAll(async () => {
  writeFileSync(
    join(dir, 'master.json'),
    JSON.stringify([
      { sku: 'A-1', name: 'Alpha', category: 'tops', unit_cost: 2, unit_price: 10 },
      { location: 'S1', kind: 'store', region: 'north', timezone: 'Europe/London' },
    ]),
  );
  const events = Array.from({ length: 63 }, (_, i) => ({
    event_id: `s-${i}`,
    type: 'sale',
    occurred_at: `${day(i)}T12:00:00Z`,
    source: 'pos',
    sku: 'A-1',
    location: 'S1',
    // Demand doubles from day 49.
    qty: (6 + (i % 3)) * (i >= 49 ? 2 : 1),
  }));
  writeFileSync(join(dir, 'sales.ndjson'), events.map((e) => JSON.stringify(e)).join('\n'));
  expect((await run(['master', 'import', 'master.json'])).code).toBe(0);
  expect((await run(['ingest', 'sales.ndjson'])).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invex forecast', () => {
  it('fits, promotes, shows, checks drift, and annotates', async () => {
    const fit = await run([
      'forecast',
      'fit',
      '--to',
      day(48),
      '--horizon',
      '14',
      '--windows',
      '1',
      '--methods',
      'moving_average,seasonal_naive',
      '--json',
    ]);
    expect(fit.code, fit.stderr).toBe(0);
    const version = JSON.parse(fit.stdout);
    expect(version).toMatchObject({
      model: 'default',
      version: 1,
      status: 'candidate',
      created_by: 'cli:planner1',
    });

    const promoted = await run(['forecast', 'promote', 'default@1']);
    expect(promoted.stdout).toContain(`default v1 (${version.id}) is active`);
    const show = await run(['forecast', 'show', '--sku', 'A-1', '--location', 'S1', '--json']);
    expect(JSON.parse(show.stdout)[0]).toMatchObject({ model_version: version.id, channel: 'store' });
    const table = await run(['forecast', 'versions']);
    expect(table.stdout).toMatch(/default@1\s+active/);

    const drift = await run(['forecast', 'drift', '--as-of', day(62), '--json']);
    expect(drift.code, drift.stderr).toBe(0);
    const [report] = JSON.parse(drift.stdout);
    expect(report.assessment.drifting).toBe(true);
    expect(report.exception.action).toBe('opened');
    const listed = await run(['exceptions', 'list', '--type', 'forecast_drift', '--json']);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);

    const note = await run([
      'forecast',
      'annotate',
      '--sku',
      'A-1',
      '--from',
      day(10),
      '--to',
      day(11),
      '--kind',
      'exclude',
      '--reason',
      'till fault',
      '--json',
    ]);
    expect(note.code, note.stderr).toBe(0);
    const annotation = JSON.parse(note.stdout);
    expect(annotation).toMatchObject({ kind: 'exclude', created_by: 'cli:planner1' });
    expect((await run(['forecast', 'annotations'])).stdout).toContain(annotation.id);
    expect((await run(['forecast', 'unannotate', annotation.id])).stdout).toContain('removed');
    expect(JSON.parse((await run(['forecast', 'annotations', '--json'])).stdout)).toHaveLength(0);
  }, 180_000);

  it('says what is wrong, with exit code 2 for bad input and 3 for a conflict', async () => {
    const unknown = await run(['forecast', 'promote', 'default@9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('forecast version default@9 does not exist');
    const rollback = await run(['forecast', 'rollback', '--model', 'default']);
    expect(rollback.code).toBe(3);
    expect(rollback.stderr).toContain('no earlier active version');
    const bad = await run(['forecast', 'fit', '--horizon', 'x']);
    expect(bad.code).toBe(2);
    const empty = await run([
      'forecast',
      'fit',
      '--model',
      'later',
      '--from',
      '2027-01-01',
      '--to',
      '2027-02-01',
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no sales');
  }, 120_000);
});
