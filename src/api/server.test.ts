import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestMaster } from '../catalog/test-fixtures.ts';
import { loadConfig } from '../core/config.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createToken } from '../govern/index.ts';
import { type App, buildServer } from './server.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let app: App;
let base: string;
let admin: string;
let viewer: string;

const config = loadConfig({
  INVEX_MAX_BATCH_EVENTS: '50',
  INVEX_MAX_BODY_BYTES: '65536',
  INVEX_ATP_BUFFERS: 'store=1',
});

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; type?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = options.type ?? 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    json: text ? JSON.parse(text) : undefined,
  };
}

const event = (id: string, fields: Record<string, unknown>) => ({
  event_id: id,
  occurred_at: '2026-03-02T12:00:00Z',
  source: 'wms',
  sku: 'TEE-1',
  location: 'S1',
  ...fields,
});

beforeAll(async () => {
  db = await openTestDatabase();
  await loadTestMaster(db);
  admin = (await createToken(db, 'admin', 'admin', 'test')).token;
  viewer = (await createToken(db, 'viewer', 'viewer', 'test')).token;
  app = await buildServer({ db, config, version: 'test' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('HTTP API', () => {
  it('answers health without a token and everything else only with one', async () => {
    expect((await call('GET', '/health')).json).toMatchObject({ status: 'ok' });
    const missing = await call('GET', '/v1/stock');
    expect(missing.status).toBe(401);
    expect(missing.type).toContain('application/problem+json');
    expect(missing.json).toMatchObject({ status: 401, code: 'token_missing' });
    const wrong = await call('GET', '/v1/stock', { token: 'invex_notatoken' });
    expect(wrong.json).toMatchObject({ status: 401, code: 'token_invalid' });
    const unknownRoute = await call('GET', '/v1/nothing-here', { token: admin });
    expect(unknownRoute.status).toBe(404);
  });

  it('refuses a viewer permission to write events', async () => {
    const response = await call('POST', '/v1/events', { token: viewer, body: [] });
    expect(response.status).toBe(403);
    expect(response.json).toMatchObject({ code: 'permission_denied' });
  });

  it('ingests NDJSON with a bad line, applies the good ones and lists the rejection', async () => {
    const lines = [
      JSON.stringify(event('a-1', { type: 'receipt', qty: 10, ref: { po_id: 'PO-7' } })),
      '{"event_id": "a-2", "type": ',
      JSON.stringify(
        event('a-3', { type: 'sale', qty: 3, source: 'pos', occurred_at: '2026-03-03T12:00:00Z' }),
      ),
    ].join('\n');
    const response = await call('POST', '/v1/events', {
      token: admin,
      body: lines,
      type: 'application/x-ndjson',
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ received: 3, accepted: 2, rejected: 1 });
    expect(response.json.rejections[0]).toMatchObject({ record: 2, reason: 'unreadable' });

    const stock = await call('GET', '/v1/stock/TEE-1/S1', { token: viewer });
    expect(stock.json).toMatchObject({
      ledger_on_hand: 7,
      sellable: 7,
      atp: { store: { qty: 6, buffer: 1 } },
    });
    const before = await call('GET', '/v1/stock/TEE-1/S1?at=2026-03-02T18:00:00Z', { token: viewer });
    expect(before.json).toMatchObject({ ledger_on_hand: 10, as_of: '2026-03-02T18:00:00.000000Z' });

    const lineage = await call('GET', '/v1/lineage?ref=po_id:PO-7', { token: admin });
    expect(lineage.json.entries).toHaveLength(1);
    expect(lineage.json.entries[0]).toMatchObject({
      event_id: 'a-1',
      changes: [{ location: 'S1', change: { on_hand: 10 } }],
    });
    expect((await call('GET', '/v1/lineage?ref=nonsense', { token: admin })).status).toBe(400);

    const letters = await call('GET', '/v1/dead-letters?status=open', { token: admin });
    expect(letters.json.items.some((l: { reason: string }) => l.reason === 'unreadable')).toBe(true);
  });

  it('paginates the stock list with an opaque cursor', async () => {
    await call('POST', '/v1/events', {
      token: admin,
      body: ['S1', 'S2', 'DC1'].map((location, i) =>
        event(`p-${i}`, { type: 'receipt', qty: 5, location, sku: 'COAT-1' }),
      ),
    });
    const first = await call('GET', '/v1/stock?sku=COAT-1&limit=2', { token: viewer });
    expect(first.json.items.map((i: { location: string }) => i.location)).toEqual(['DC1', 'S1']);
    const second = await call('GET', `/v1/stock?sku=COAT-1&limit=2&cursor=${first.json.next_cursor}`, {
      token: viewer,
    });
    expect(second.json).toMatchObject({ items: [{ location: 'S2' }], next_cursor: null });
    const north = await call('GET', '/v1/stock?region=north&category=outerwear', { token: viewer });
    expect(north.json.items).toHaveLength(3);
    expect((await call('GET', '/v1/stock?cursor=garbage', { token: viewer })).status).toBe(400);
    expect((await call('GET', '/v1/stock?limit=5000', { token: viewer })).json).toMatchObject({
      code: 'request_invalid',
    });
  });

  it('bounds batch size and body size with problem details', async () => {
    const many = Array.from({ length: 51 }, (_, i) => event(`m-${i}`, { type: 'sale', qty: 1 }));
    const tooMany = await call('POST', '/v1/events', { token: admin, body: many });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.detail).toContain('at most 50 events');
    const huge = await call('POST', '/v1/events', {
      token: admin,
      body: `"${'x'.repeat(70_000)}"`,
      type: 'application/x-ndjson',
    });
    expect(huge.status).toBe(413);
    const notArray = await call('POST', '/v1/events', { token: admin, body: { event_id: 'x' } });
    expect(notArray.status).toBe(400);
  });

  it('reports an unknown SKU as 404 and serves an OpenAPI 3.1 description', async () => {
    const missing = await call('GET', '/v1/stock/NOPE/S1', { token: viewer });
    expect(missing.json).toMatchObject({ status: 404, code: 'sku_not_found' });
    expect((await call('GET', '/docs/json')).status).toBe(401);
    const doc = await call('GET', '/docs/json', { token: viewer });
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/stock/{sku}/{location}', '/v1/lineage']),
    );
  });

  it('pages through the lineage of a purchase order in time order', async () => {
    await call('POST', '/v1/events', {
      token: admin,
      body: [
        event('l-3', {
          type: 'receipt',
          qty: 4,
          location: 'DC1',
          occurred_at: '2026-03-05T09:00:00Z',
          ref: { po_id: 'PO-9', asn_id: 'A-9' },
        }),
        event('l-1', {
          type: 'purchase_order',
          qty: 5,
          location: 'DC1',
          occurred_at: '2026-03-01T09:00:00Z',
          ref: { po_id: 'PO-9' },
        }),
        event('l-2', {
          type: 'asn',
          qty: 5,
          location: 'DC1',
          occurred_at: '2026-03-03T09:00:00Z',
          ref: { po_id: 'PO-9', asn_id: 'A-9' },
        }),
      ],
    });
    const ids: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const response = await call(
        'GET',
        `/v1/lineage?ref=po_id:PO-9&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      ids.push(...response.json.entries.map((e: { event_id: string }) => e.event_id));
      if (!response.json.next_cursor) break;
      cursor = response.json.next_cursor;
    }
    expect(ids).toEqual(['l-1', 'l-2', 'l-3']);
    const asn = await call('GET', '/v1/lineage?ref=asn_id:A-9', { token: admin });
    expect(asn.json.entries[0].changes).toEqual([
      { location: 'DC1', sku: 'TEE-1', change: { in_transit_in: 5, on_order: -5 } },
    ]);
  });

  it('lets an admin mint and revoke tokens', async () => {
    const created = await call('POST', '/v1/tokens', {
      token: admin,
      body: { name: 'feed', role: 'integrator' },
    });
    expect(created.status).toBe(201);
    expect((await call('GET', '/v1/stock', { token: created.json.token })).status).toBe(200);
    await call('DELETE', `/v1/tokens/${created.json.id}`, { token: admin });
    expect((await call('GET', '/v1/stock', { token: created.json.token })).status).toBe(401);
    expect((await call('GET', '/v1/tokens', { token: viewer })).status).toBe(403);
    const list = await call('GET', '/v1/tokens?limit=2', { token: admin });
    expect(list.json, JSON.stringify(list.json)).toHaveProperty('items');
    expect(list.json.items).toHaveLength(2);
    expect(list.json.items[0]).not.toHaveProperty('token');
    expect(list.json.next_cursor).not.toBeNull();
  });
});
