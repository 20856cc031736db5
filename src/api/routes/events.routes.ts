import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvexError } from '../../core/errors.ts';
import { ingestRecords, lineToRecord, type RawRecord } from '../../ingest/index.ts';
import { ingestResultSchema, problemSchema } from '../schemas.ts';
import type { ServerDeps } from '../server.ts';

const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

export function ndjsonToRecords(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line !== '') records.push(lineToRecord(line, i + 1));
  }
  return records;
}

export const eventRoutes =
  (deps: ServerDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

    app.post(
      '/v1/events',
      {
        config: { permission: 'events:write' },
        schema: {
          tags: ['events'],
          summary: 'Ingest a batch of canonical events',
          description:
            `A JSON array of events (application/json) or one event per line (application/x-ndjson), at most ` +
            `${deps.config.maxBatchEvents} events and ${deps.config.maxBodyBytes} bytes. Each record is validated ` +
            'on its own (see docs/events.md and docs/events.schema.json): good records are applied even when others ' +
            'are rejected; an event_id already applied counts as a duplicate; rejected records go to the dead letters.',
          body: z.union([z.array(z.unknown()), z.string()]),
          response: { 200: ingestResultSchema, 400: problemSchema, 413: problemSchema },
        },
      },
      async (request) => {
        const body = request.body;
        const records: RawRecord[] =
          typeof body === 'string'
            ? ndjsonToRecords(body)
            : body.map((value, i) => ({ position: i + 1, value }));
        if (records.length > deps.config.maxBatchEvents) {
          throw new InvexError(
            'payload_too_large',
            'payload_too_large',
            `a batch holds at most ${deps.config.maxBatchEvents} events; this one has ${records.length}: split it`,
          );
        }
        const result = await ingestRecords(deps.db, records, {
          origin: `http:${request.principal?.id ?? 'unknown'}`,
        });
        // Detection follows right behind the commit; the response does not wait for it.
        if (result.accepted + result.duplicates + result.conflicts > 0 && deps.detection) {
          deps.detection
            .catchUp()
            .catch((error) => request.log.error({ err: error }, 'detection catch-up failed'));
        }
        return result;
      },
    );
  };
