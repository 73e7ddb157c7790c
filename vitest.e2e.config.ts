import { defineConfig } from 'vitest/config';

/**
 * The browser tests (test/e2e): a real Coxcox in sandbox mode on a loopback port, driven through Debian's
 * chromium with playwright-core. The dashboard is built once, before any test file starts.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    testTimeout: 120_000, // 2 min: a campaign runs to the end, through the simulator
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file runs a Coxcox, its simulator and a browser: a few at a time keeps CI machines responsive.
    maxWorkers: 3,
  },
});
