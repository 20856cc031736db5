import type { Command } from 'commander';
import { type App, startServer } from '../../api/index.ts';
import type { Config } from '../../core/config.ts';
import type { Database } from '../../db/index.ts';
import { DetectionService, loadDetectorConfig } from '../../detect/index.ts';
import { checkDrift } from '../../forecast/index.ts';
import { ensureBootstrapToken } from '../../govern/index.ts';
import { configFrom, type GlobalOptions, openExclusive, VERSION } from '../context.ts';

/**
 * Serves the API on the open database until Ctrl-C or a termination signal, then closes
 * both; records the URL in the data directory's lock so other commands can go through it.
 */
export async function serveUntilStopped(
  db: Database,
  config: Config,
): Promise<{ app: App; url: string; detection: DetectionService }> {
  const detection = await DetectionService.start(db, {
    config: loadDetectorConfig(config.detectorsFile),
    clock: config.clock,
  });
  const served = await startServer(
    { db, config, version: VERSION, detection },
    { host: config.host, port: config.port, logger: { level: config.logLevel } },
  );
  db.lock?.update({ url: served.url });
  // Catch up with whatever arrived while stopped, then sweep on the schedule.
  const sweep = () =>
    detection.sweep().catch((error) => served.app.log.error({ err: error }, 'exception sweep failed'));
  void sweep();
  const timer = config.sweepSeconds > 0 ? setInterval(sweep, config.sweepSeconds * 1000) : undefined;
  timer?.unref();
  // Forecast drift: the active versions scored on the actuals since their fit (a no-op
  // until a version is promoted).
  const drift = () =>
    checkDrift(db).catch((error) => served.app.log.error({ err: error }, 'forecast drift check failed'));
  const driftTimer = config.driftSeconds > 0 ? setInterval(drift, config.driftSeconds * 1000) : undefined;
  driftTimer?.unref();
  onShutdown(async () => {
    if (timer) clearInterval(timer);
    if (driftTimer) clearInterval(driftTimer);
    await served.app.close();
    await detection.catchUp().catch(() => undefined);
    await db.close();
  });
  return { ...served, detection };
}

/** Stops the server cleanly on Ctrl-C or a termination signal, releasing the data directory. */
function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n${signal}: stopping invex…\n`);
    close().finally(() => process.exit(0));
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API (OpenAPI description at /docs)')
    .option('--port <n>', 'port to listen on (0 picks a free one; default INVEX_PORT or 7410)')
    .option('--host <address>', 'address to listen on (default INVEX_HOST or 127.0.0.1)')
    .action(async (options: { port?: string; host?: string }, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>(), {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
      });
      const db = await openExclusive(config, 'invex serve');
      const bootstrap = await ensureBootstrapToken(db);
      const { url } = await serveUntilStopped(db, config);
      if (bootstrap) {
        process.stdout.write(
          `\nFirst start: an admin token was created. It is shown this once and stored only as a hash:\n\n  ${bootstrap.token}\n\n` +
            'Use it as "Authorization: Bearer <token>"; mint more with `invex tokens create`.\n\n',
        );
      }
      process.stdout.write(
        `invex ${VERSION} listening on ${url} (database: ${db.kind} ${db.location}); API description: ${url}/docs\n`,
      );
    });
}
