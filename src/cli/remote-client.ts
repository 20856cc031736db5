import { InvexError } from '../core/errors.ts';
import type { CountTask, DetectionStats, ExceptionRecord } from '../detect/index.ts';
import type { IngestResult } from '../ingest/index.ts';
import type { StockPicture } from '../ledger/index.ts';
import type { PlanIntent, PlanResult } from '../plan/index.ts';

/** The CLI's way through a running invex server's API, used when that server holds the data directory. */
export class RemoteClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async request<T>(
    method: string,
    path: string,
    body?: string,
    type = 'application/json',
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        body,
      });
    } catch (error) {
      throw new InvexError(
        'unavailable',
        'database_unavailable',
        `invex server at ${this.baseUrl} did not answer: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const detail = json?.detail ?? text;
      const category =
        response.status === 404
          ? 'not_found'
          : response.status === 401
            ? 'unauthenticated'
            : response.status === 403
              ? 'forbidden'
              : 'invalid_input';
      throw new InvexError(category, json?.code ?? 'request_invalid', `server ${this.baseUrl}: ${detail}`);
    }
    return json as T;
  }

  ingestNdjson(lines: string[]): Promise<IngestResult> {
    return this.request('POST', '/v1/events', lines.join('\n'), 'application/x-ndjson');
  }

  importMaster(
    records: unknown[],
  ): Promise<{ skus: number; locations: number; channels: number; rejected: unknown[] }> {
    return this.request('POST', '/v1/master', JSON.stringify(records));
  }

  stock(sku: string, location: string, at?: string): Promise<StockPicture> {
    const query = at ? `?at=${encodeURIComponent(at)}` : '';
    return this.request(
      'GET',
      `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(location)}${query}`,
    );
  }

  deadLetters(query: URLSearchParams): Promise<{ items: unknown[]; next_cursor: string | null }> {
    return this.request('GET', `/v1/dead-letters?${query}`);
  }

  exceptions(query: URLSearchParams): Promise<{ items: ExceptionRecord[]; next_cursor: string | null }> {
    return this.request('GET', `/v1/exceptions?${query}`);
  }

  exception(id: string): Promise<ExceptionRecord> {
    return this.request('GET', `/v1/exceptions/${encodeURIComponent(id)}`);
  }

  countPlan(
    query: URLSearchParams,
  ): Promise<{ generated_at: string; per_location: number; tasks: CountTask[] }> {
    return this.request('GET', `/v1/count-plan?${query}`);
  }

  sweep(): Promise<DetectionStats> {
    return this.request('POST', '/v1/detect/sweep');
  }

  replay(body: { ids?: string[]; reason?: string }): Promise<IngestResult & { replayed: number }> {
    return this.request('POST', '/v1/dead-letters/replay', JSON.stringify(body));
  }

  plan<T>(kind: string, body: unknown): Promise<PlanResult<T>> {
    return this.request('POST', `/v1/plans/${kind}`, JSON.stringify(body));
  }

  async planIntents(filter: {
    kind?: string | undefined;
    sku?: string | undefined;
    location?: string | undefined;
    includeRevoked?: boolean;
    limit: number;
  }): Promise<PlanIntent[]> {
    const query = new URLSearchParams({
      limit: String(filter.limit),
      include_revoked: String(filter.includeRevoked ?? false),
    });
    for (const key of ['kind', 'sku', 'location'] as const) if (filter[key]) query.set(key, filter[key]!);
    return (await this.request<{ items: PlanIntent[] }>('GET', `/v1/plan-intents?${query}`)).items;
  }

  createPlanIntent(body: unknown): Promise<PlanIntent> {
    return this.request('POST', '/v1/plan-intents', JSON.stringify(body));
  }

  revokePlanIntent(id: string): Promise<PlanIntent> {
    return this.request('DELETE', `/v1/plan-intents/${encodeURIComponent(id)}`);
  }
}
