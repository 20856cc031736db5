import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, embeddedEnv, runInvex } from './cli.test-support.ts';

// These tests run the real `invex` binary as a user would, on an embedded data directory
// (the one-process-per-directory rule only concerns the embedded database).
const dir = mkdtempSync(join(tmpdir(), 'invex-cli-'));
const data = join(dir, 'data');

// Guards the "never hangs silently" rule: a command stuck on a held directory fails its test.
const run = (args: string[], env: Record<string, string> = {}, dataDir = data) =>
  runInvex(dataDir, args, { env, cwd: dir });

beforeAll(() => {
  writeFileSync(
    join(dir, 'master.csv'),
    'sku,name,category,unit_cost,unit_price,uoms,gtin\nA-1,Alpha,tops,2.5,10,case=6,4006381333931\nB-2,Beta,tops,1,4,,\n',
  );
  writeFileSync(
    join(dir, 'locations.json'),
    JSON.stringify([{ location: 'S1', kind: 'store', region: 'north', timezone: 'Europe/London' }]),
  );
  writeFileSync(
    join(dir, 'events.ndjson'),
    [
      {
        event_id: 'c-1',
        type: 'receipt',
        occurred_at: '2026-05-01T08:00:00Z',
        source: 'wms',
        sku: 'A-1',
        location: 'S1',
        qty: 2,
        uom: 'case',
      },
      {
        event_id: 'c-2',
        type: 'sale',
        occurred_at: '2026-05-01T09:00:00+01:00',
        source: 'pos',
        sku: 'A-1',
        location: 'S1',
        qty: 1,
      },
      {
        event_id: 'c-3',
        type: 'sale',
        occurred_at: '2026-05-01T10:00:00Z',
        source: 'pos',
        sku: 'Z-9',
        location: 'S1',
        qty: 1,
      },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invex CLI', () => {
  it('imports master data, ingests a file, and shows the stock picture as JSON', async () => {
    const master = await run(['master', 'import', 'master.csv', 'locations.json']);
    expect(master.stdout).toContain('master.csv: 2 SKUs');
    expect(master.code).toBe(0);
    const ingest = await run(['ingest', 'events.ndjson']);
    expect(ingest.stdout).toContain('3 received, 2 accepted, 0 duplicates, 0 conflicts, 1 rejected');
    expect(ingest.stdout).toContain('sku Z-9 is not in master data');
    const again = await run(['ingest', 'events.ndjson', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicates: 2, rejected: 1 });
    const stock = await run(['stock', 'A-1', 'S1', '--json']);
    expect(JSON.parse(stock.stdout)).toMatchObject({
      sku: 'A-1',
      location: 'S1',
      ledger_on_hand: 11,
      atp: { store: { qty: 11 } },
    });
    const bad = await run(['stock', 'A-1', 'S1', '--at', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at must be');
  });

  it('plays a scenario under baseline, oracle and invex side by side, and names a wrong policy', async () => {
    const file = join(dir, 'tiny.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'tiny',
        start: '2026-11-02',
        days: 21,
        network: { stores: 3, dcs: 1, skus: 30, suppliers: 2 },
        promotions: 3,
      }),
    );
    const all = await run(['sim', 'play', '--scenario', file, '--policy', 'all', '--json']);
    expect(all.code).toBe(0);
    const runs = JSON.parse(all.stdout) as { policy: string; demand_units: number; total_cost: number }[];
    expect(runs.map((r) => r.policy)).toEqual(['baseline', 'oracle', 'invex']);
    expect(new Set(runs.map((r) => r.demand_units)).size).toBe(1);
    for (const r of runs) expect(r.total_cost).toBeGreaterThan(0);
    const table = await run(['sim', 'play', '--scenario', file, '--policy', 'invex']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/total cost/);
    const wrong = await run(['sim', 'play', '--scenario', file, '--policy', 'magic']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/--policy must be one of baseline, oracle, invex, all; got magic/);
  });

  it('repairs a dead letter: add the SKU, replay, applied exactly once', async () => {
    writeFileSync(
      join(dir, 'z.json'),
      JSON.stringify([{ sku: 'Z-9', name: 'Zed', category: 'tops', unit_cost: 1, unit_price: 3 }]),
    );
    await run(['master', 'import', 'z.json']);
    const replay = await run(['dlq', 'replay', '--json']);
    expect(JSON.parse(replay.stdout)).toMatchObject({ replayed: 1, accepted: 1 });
    const second = await run(['dlq', 'replay', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ replayed: 0, accepted: 0 });
    expect(JSON.parse((await run(['stock', 'Z-9', 'S1', '--json'])).stdout).ledger_on_hand).toBe(-1);
  });

  describe('while invex serve holds the data directory', () => {
    let server: ChildProcess;
    let token = '';
    let url = '';

    beforeAll(async () => {
      server = spawn(process.execPath, [BIN, '--data', data, 'serve', '--port', '0'], {
        env: { ...embeddedEnv, INVEX_LOG_LEVEL: 'warn' },
        cwd: dir,
      });
      await new Promise<void>((ready, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`server did not start: ${out}`)), 60_000);
        server.stdout?.on('data', (chunk) => {
          out += chunk;
          const listening = /listening on (http:\/\/\S+)/.exec(out);
          if (listening) {
            url = listening[1]!;
            token = /(invex_[A-Za-z0-9_-]{20,})/.exec(out)?.[1] ?? '';
            clearTimeout(timer);
            ready();
          }
        });
      });
    });
    afterAll(() => {
      server?.kill('SIGTERM');
    });

    it('printed a first-start admin token', () => {
      expect(token).toMatch(/^invex_/);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('says which process holds the directory instead of opening it', async () => {
      const result = await run(['stock', 'A-1', 'S1']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`in use by process ${server.pid}`);
      expect(result.stderr).toContain(`serving ${url}`);
      const rebuild = await run(['db', 'rebuild']);
      expect(rebuild.code).toBe(3);
      expect(rebuild.stderr).toContain('stop it before running invex db rebuild');
    });

    it('refuses a port already taken, saying so', async () => {
      const port = new URL(url).port;
      const result = await run(['serve', '--port', port], {}, join(dir, 'other-data'));
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    });

    it('goes through the server API when given a token', async () => {
      const stock = await run(['stock', 'A-1', 'S1', '--json'], { INVEX_TOKEN: token });
      expect(stock.code).toBe(0);
      expect(JSON.parse(stock.stdout).ledger_on_hand).toBe(11);
      writeFileSync(
        join(dir, 'more.ndjson'),
        `${JSON.stringify({ event_id: 'c-9', type: 'sale', occurred_at: '2026-05-02T10:00:00Z', source: 'pos', sku: 'A-1', location: 'S1', qty: 4 })}\nnot json\n`,
      );
      const ingest = await run(['ingest', 'more.ndjson', '--json'], { INVEX_TOKEN: token });
      expect(JSON.parse(ingest.stdout)).toMatchObject({
        accepted: 1,
        rejected: 1,
        rejections: [{ record: 2, reason: 'unreadable' }],
      });
      const plan = await run(['detect', 'count-plan', '--json'], { INVEX_TOKEN: token });
      expect(plan.code).toBe(0);
      expect(Array.isArray(JSON.parse(plan.stdout))).toBe(true);
    });

    it('releases the directory when stopped', async () => {
      server.kill('SIGTERM');
      await new Promise((done) => server.once('close', done));
      const stock = await run(['stock', 'A-1', 'S1', '--json']);
      expect(stock.code).toBe(0);
      expect(JSON.parse(stock.stdout).ledger_on_hand).toBe(7);
      const plan = await run(['detect', 'count-plan', '--location', 'S1']);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toMatch(/^count plan at /);
      const bad = await run(['detect', 'count-plan', '--per-location', '0']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--per-location must be a whole number from 1 to 200, got 0');
    });
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    writeFileSync(
      join(data, 'invex.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, command: 'invex serve', started_at: '2026-01-01T00:00:00Z' }),
    );
    const stock = await run(['stock', 'A-1', 'S1', '--json']);
    expect(stock.code).toBe(0);
  });
});
