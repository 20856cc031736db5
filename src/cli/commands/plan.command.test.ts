import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../db/index.ts';
import { AS_OF, loadPlanNetwork } from '../../plan/plan.test-support.ts';
import { runInvex } from '../cli.test-support.ts';

// The real `invex` binary on an embedded data directory holding the plan tests' network.
const dir = mkdtempSync(join(tmpdir(), 'invex-plan-'));
const data = join(dir, 'data');

const run = (args: string[]) => runInvex(data, args, { env: { USER: 'alice' }, timeoutMs: 120_000 });

beforeAll(async () => {
  const db = await openDatabase({ dataDir: data, command: 'plan test setup' });
  await migrate(db);
  await loadPlanNetwork(db);
  await db.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invex plan', () => {
  it('prints transfers as a table, and as a JSON array with --json', async () => {
    const table = await run(['plan', 'transfers', '--sku', 'TEE-1', '--region', 'east', '--as-of', AS_OF]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^transfers plan as of 2026-02-26, horizon 14 d/);
    expect(table.stdout).toMatch(/TEE-1\s+P2 > P1\s+\d+/);
    const json = await run([
      'plan',
      'transfers',
      '--sku',
      'TEE-1',
      '--region',
      'east',
      '--as-of',
      AS_OF,
      '--json',
    ]);
    const recommendations = JSON.parse(json.stdout);
    expect(Array.isArray(recommendations)).toBe(true);
    expect(recommendations[0]).toMatchObject({ sku: 'TEE-1', transfers: [{ from: 'P2', to: 'P1' }] });
  }, 120_000);

  it('records, lists and revokes an intent with the operator as its author', async () => {
    const pin = await run([
      'plan',
      'intents',
      'pin',
      '--sku',
      'TEE-1',
      '--location',
      'P4',
      '--min',
      '12',
      '--reason',
      'flagship launch',
      '--json',
    ]);
    expect(pin.code).toBe(0);
    const intent = JSON.parse(pin.stdout);
    expect(intent).toMatchObject({ kind: 'pin', min_units: 12, created_by: 'cli:alice' });
    const listed = await run(['plan', 'intents', 'list']);
    expect(listed.stdout).toContain(intent.id);
    expect(listed.stdout).toContain('pin TEE-1 at P4 >= 12');
    const revoked = await run(['plan', 'intents', 'revoke', intent.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
  }, 120_000);

  it('exits 2 with the field named on bad input', async () => {
    const bad = await run(['plan', 'reorder', '--horizon', '500']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('horizon_days');
    const notNumber = await run(['plan', 'allocate', '--max-oversell-risk', 'lots']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--max-oversell-risk must be a number');
  }, 120_000);
});
