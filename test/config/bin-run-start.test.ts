import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/child-server.ts';

/** True when something accepts a TCP connection on the port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('bash bin/run start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-bin-run-'));
  let child: ChildProcess | undefined;
  let output = '';
  afterAll(async () => {
    // Whatever the outcome, leave no server behind: the whole process group, since npm may hold it.
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says where the dashboard is, and stops when the PID it started with gets SIGTERM', {
    timeout: 300_000,
  }, async () => {
    const port = await freePort();
    child = spawn('bash', ['bin/run', 'start'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        SIMULATOR_PORT: '0',
      },
      // Its own process group, so that the cleanup above can reach every process it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    // The first start builds the dashboard (Vite), which can take a while on a busy machine.
    const isUp = await poll(async () => child?.exitCode === null && (await isListening(port)), 240_000);
    expect(isUp, `Coxcox did not start: ${output}`).toBe(true);
    // The log says where to open it (PUBLIC_URL defaults to http://localhost:PORT).
    await poll(async () => output.includes('Coxcox is ready'), 5_000);
    expect(output).toContain(
      `Coxcox is ready: dashboard http://localhost:${port}, API docs http://localhost:${port}/docs`,
    );

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const isFreed = await poll(async () => !(await isListening(port)), 5_000);
    expect(isFreed, `port ${port} still answers 5 s after SIGTERM: ${output}`).toBe(true);
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
