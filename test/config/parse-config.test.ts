import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const base = { DATA_DIR: dataDir, SECRET_KEY: '22'.repeat(32), ADMIN_TOKEN: 'config-test-admin-token-0123' };

/** The ConfigError parseConfig throws for `env`, so a test can check it names the variable. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    parseConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('runs every worker by default, and none when WORKERS=none', () => {
    expect(parseConfig(base).workers).toBe('all');
    expect(parseConfig({ ...base, WORKERS: 'all' }).workers).toBe('all');
    expect(parseConfig({ ...base, WORKERS: 'none' }).workers).toBe('none');
  });

  it('refuses private targets for tenant URLs unless ALLOW_PRIVATE_NETWORK_TARGETS is true', () => {
    expect(parseConfig(base).allowPrivateNetworkTargets).toBe(false);
    expect(parseConfig({ ...base, ALLOW_PRIVATE_NETWORK_TARGETS: 'true' }).allowPrivateNetworkTargets).toBe(
      true,
    );
    expect(parseConfig({ ...base, ALLOW_PRIVATE_NETWORK_TARGETS: 'false' }).allowPrivateNetworkTargets).toBe(
      false,
    );
    expect(refusal({ ALLOW_PRIVATE_NETWORK_TARGETS: 'yes' }).variable).toBe('ALLOW_PRIVATE_NETWORK_TARGETS');
  });

  it('names the variable to fix, and what is wrong with it', () => {
    expect(refusal({ WORKERS: 'some' })).toMatchObject({
      variable: 'WORKERS',
      message: 'WORKERS: "some" is neither "all" nor "none"',
    });
    expect(refusal({ INBOX_POLL_INTERVAL_MS: 'soon' })).toMatchObject({ variable: 'INBOX_POLL_INTERVAL_MS' });
    expect(refusal({ PORT: '99999' }).variable).toBe('PORT');
  });
});
