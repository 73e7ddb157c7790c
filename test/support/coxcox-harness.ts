import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config.ts';
import { type Coxcox, type CreateCoxcoxOptions, createCoxcox } from '../../src/coxcox.ts';
import { createLogger } from '../../src/http/create-logger.ts';
import type { TestDatabase } from './databases.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A whole Coxcox on a fresh database, built like main.ts builds it, for inject() tests. */
export async function startTestCoxcox(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: Partial<CreateCoxcoxOptions> = {},
): Promise<Coxcox & { dispose(): Promise<void> }> {
  const created = await database.create();
  const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-data-'));
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: created.databaseUrl,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SECRET_KEY: '11'.repeat(32),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    INBOX_POLL_INTERVAL_MS: '50',
    ...env,
  });
  const coxcox = await createCoxcox(config, {
    logger: createLogger(config.logLevel),
    ...(created.postgresSchema ? { postgresSchema: created.postgresSchema } : {}),
    ...options,
  });
  return Object.assign(coxcox, {
    async dispose() {
      await coxcox.close();
      await created.drop();
    },
  });
}
