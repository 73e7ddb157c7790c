import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { type Coxcox, createCoxcox, SIMULATOR_STATE_FILE } from '../../src/coxcox.ts';
import { createLogger } from '../../src/http/create-logger.ts';
import { testDatabases } from '../support/databases.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const ADMIN_TOKEN = 'restart-admin-token-0123456789';

describe.each(databases)('a sandbox install across a restart on $name', (database) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('an onboarded company still sends after Coxcox restarts on the same DATA_DIR', async () => {
    const created = await database.create();
    const dataDir = mkdtempSync(join(tmpdir(), 'coxcox-restart-'));
    cleanups.push(async () => {
      await created.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    // As main.ts starts it: sandbox mode (no WhatsApp variables), the generated SECRET_KEY in DATA_DIR.
    const start = async () => {
      const config = parseConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: created.databaseUrl,
        ADMIN_TOKEN,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        INBOX_POLL_INTERVAL_MS: '50',
      });
      const coxcox = await createCoxcox(config, {
        logger: createLogger(config.logLevel),
        ...(created.postgresSchema ? { postgresSchema: created.postgresSchema } : {}),
      });
      const url = await coxcox.app.listen({ port: 0, host: '127.0.0.1' });
      coxcox.simulator?.setWebhookUrl(`${url}/webhooks/whatsapp`);
      coxcox.startWorkers();
      return coxcox;
    };
    const api = async (coxcox: Coxcox, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const response = await coxcox.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      return { status: response.statusCode, json: response.json(), body: response.body };
    };

    const first = await start();
    let isFirstClosed = false;
    cleanups.push(async () => {
      if (!isFirstClosed) await first.close();
    });
    const link = await api(first, 'POST', '/api/v1/setup-links', { tenantName: 'Padaria Central' });
    expect(link.status, link.body).toBe(201);
    const tenantId: string = link.json.tenant.id;
    const setupPath = new URL(link.json.setupLink.url).pathname;
    const code = await api(first, 'POST', `${setupPath}/sandbox-signup`, {});
    expect(code.status, code.body).toBe(200);
    const completed = await api(first, 'POST', `${setupPath}/complete`, {
      code: code.json.code,
      wabaId: code.json.wabaId,
      phoneNumberId: code.json.phoneNumberId,
    });
    expect(completed.json.state, completed.body).toBe('completed');
    await first.close();
    isFirstClosed = true;

    const second = await start();
    cleanups.push(() => second.close());
    const sent = await api(second, 'POST', `/api/v1/messages?tenantId=${tenantId}`, {
      message: {
        to: '+5511987650001',
        type: 'template',
        template: { name: 'hello_world', languageCode: 'en_US' },
      },
    });
    expect(sent.status, sent.body).toBe(202);
    const shown = () => api(second, 'GET', `/api/v1/messages/${sent.json.id}`);
    await waitFor(
      'the template to be sent and delivered after the restart',
      async () => {
        const message = (await shown()).json;
        return message.state === 'sent' && ['delivered', 'read'].includes(message.deliveryStatus);
      },
      20_000,
      async () => (await shown()).body,
    );

    // The WhatsApp screen stays healthy: the number's token still works at Meta.
    const numbers = await api(second, 'GET', `/api/v1/tenants/${tenantId}/phone-numbers`);
    expect(numbers.json.data).toMatchObject([{ phoneNumberId: code.json.phoneNumberId, isHealthy: true }]);

    // The simulator's state file holds the tenant's token: only its owner may read it.
    expect(statSync(join(dataDir, SIMULATOR_STATE_FILE)).mode & 0o777).toBe(0o600);
  });
});
