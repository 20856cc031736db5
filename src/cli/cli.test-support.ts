import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The real `invex` binary, run as a user would. */
export const BIN = resolve(import.meta.dirname, '../../bin/invex.js');

/** The test process's environment without DATABASE_URL: these runs use an embedded data directory. */
export const embeddedEnv = (() => {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return env;
})();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `invex --data DATA_DIR ...args` and collects its output. A command still running
 * after `timeoutMs` is killed, so one that hangs (say, on a held data directory) fails its
 * test rather than the suite.
 */
export function runInvex(
  dataDir: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, '--data', dataDir, ...args], {
      env: { ...embeddedEnv, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
