import type { AddressInfo } from 'node:net';
import { buildServer, type ServerDeps } from './server.ts';

/** The API server on a free local port, as a client reaches it over HTTP. */
export async function listenForTests(deps: ServerDeps) {
  const app = await buildServer(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    /** A request with an optional bearer token and JSON body. */
    async call(method: string, path: string, token?: string, body?: unknown) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        json: text ? JSON.parse(text) : undefined,
        location: response.headers.get('location'),
      };
    },
    close: () => app.close(),
  };
}

export type TestServer = Awaited<ReturnType<typeof listenForTests>>;
