import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npx coxcox` on a Node older than 22.18 (the machine's node, next to the Node 24 bin/run installs):
 * bin/coxcox.js re-runs itself on Node 24, or says what to do. npm used to print an EBADENGINE warning
 * about coxcox twice first, while putting the local package in its npx cache. So that the test sees
 * that first run, npm gets a fresh cache; and npm reads the Node version from `process.version`, so it
 * runs with a preload that makes it look like Node 20 (a version npm 11 itself supports).
 */
describe('npx coxcox on an older Node', () => {
  const directory = mkdtempSync(join(tmpdir(), 'coxcox-npx-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('prints no EBADENGINE warning about coxcox itself', { timeout: 120_000 }, () => {
    const npx = realpathSync(execFileSync('which', ['npx'], { encoding: 'utf8' }).trim());
    const preload = join(directory, 'old-node.cjs');
    writeFileSync(
      preload,
      "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n" +
        "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n",
    );
    const run = spawnSync(process.execPath, ['--require', preload, npx, 'coxcox', 'help'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        npm_config_cache: join(directory, 'npm-cache'),
        npm_config_update_notifier: 'false',
      },
      timeout: 110_000,
    });
    expect(run.stdout, run.stderr).toContain('coxcox <command>');
    expect(run.stderr).not.toContain('EBADENGINE');
  });
});
