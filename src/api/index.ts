import type { AddressInfo } from 'node:net';
import { type App, buildServer, type ServerDeps } from './server.ts';

export { type App, buildServer, type ServerDeps } from './server.ts';

/** Builds the server, listens, and returns its URL (port 0 picks a free port). */
export async function startServer(
  deps: ServerDeps,
  options: { host: string; port: number; logger: boolean | object },
): Promise<{ app: App; url: string }> {
  const app = await buildServer(deps, options.logger);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { app, url: `http://${host}:${address.port}` };
}
