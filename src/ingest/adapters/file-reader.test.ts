import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { RawRecord } from '../ingest.service.ts';
import { fileRecords, MAX_RECORD_BYTES, ndjsonRecords, type ReadProgress } from './file-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'invex-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

describe('reading event files', () => {
  it('reads NDJSON line by line, skipping blank lines, tolerating CRLF, numbering records by line', async () => {
    const text = '{"event_id":"a"}\r\n\n{"event_id":"b"}\n{broken\n{"event_id":"c"}';
    // chunks split mid-line, as a socket or a file stream delivers them
    const chunks = [text.slice(0, 7), text.slice(7, 25), text.slice(25)];
    const records = await collect(ndjsonRecords(Readable.from(chunks)));
    expect(
      records.map((r) => [r.position, (r.value as { event_id?: string } | undefined)?.event_id]),
    ).toEqual([
      [1, 'a'],
      [3, 'b'],
      [4, undefined],
      [5, 'c'],
    ]);
    expect(records[2]).toMatchObject({ text: '{broken', parseError: expect.any(String) });
  });

  it('turns an over-long line into one unreadable record instead of holding it in memory', async () => {
    const long = `{"event_id":"${'x'.repeat(MAX_RECORD_BYTES + 10)}"}`;
    const records = await collect(
      ndjsonRecords(Readable.from([`{"event_id":"a"}\n`, long, '\n{"event_id":"b"}\n'])),
    );
    expect(records.map((r) => r.position)).toEqual([1, 2, 3]);
    expect(records[1]).toMatchObject({
      value: undefined,
      parseError: `line longer than ${MAX_RECORD_BYTES} bytes`,
    });
    expect(records[2]?.value).toEqual({ event_id: 'b' });
  });

  it('reads CSV with the JSON field names, correlation ids and attributes, and numbers where numbers belong', async () => {
    const path = join(dir, 'events.csv');
    writeFileSync(
      path,
      'event_id,type,occurred_at,source,sku,location,qty,uom,ref.po_id,asn_id,attributes.batch,lot\n' +
        'e-1,receipt,2026-05-01T08:00:00Z,wms,A-1,S1,2,case,PO-1,ASN-1,B7,\n' +
        'e-2,sale,2026-05-01T09:00:00Z,pos,A-1,S1,three,,,,,\n',
    );
    const progress: ReadProgress = { bytes: 0, total: 0 };
    const records = await collect(fileRecords(path, progress));
    expect(records.map((r) => r.value)).toEqual([
      {
        event_id: 'e-1',
        type: 'receipt',
        occurred_at: '2026-05-01T08:00:00Z',
        source: 'wms',
        sku: 'A-1',
        location: 'S1',
        qty: 2,
        uom: 'case',
        ref: { po_id: 'PO-1', asn_id: 'ASN-1' },
        attributes: { batch: 'B7' },
      },
      // left as text so that validation names the field
      {
        event_id: 'e-2',
        type: 'sale',
        occurred_at: '2026-05-01T09:00:00Z',
        source: 'pos',
        sku: 'A-1',
        location: 'S1',
        qty: 'three',
      },
    ]);
    expect(progress.bytes).toBe(progress.total);
  });

  it('reads a JSON array file, and says clearly what is wrong with a file it cannot read', async () => {
    const path = join(dir, 'events.json');
    writeFileSync(path, JSON.stringify([{ event_id: 'a' }, { event_id: 'b' }]));
    expect((await collect(fileRecords(path))).map((r) => r.position)).toEqual([1, 2]);
    writeFileSync(join(dir, 'bad.json'), '[{"event_id": ');
    await expect(collect(fileRecords(join(dir, 'bad.json')))).rejects.toThrow(/bad\.json is not valid JSON/);
    await expect(collect(fileRecords(join(dir, 'missing.ndjson')))).rejects.toThrow(
      /missing\.ndjson: no such file/,
    );
    await expect(collect(fileRecords(dir))).rejects.toThrow(/not a file/);
  });
});
