import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_APP_ID, sandboxSecret } from '../../src/coxcox.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import { replayDeliveries } from '../../src/whatsapp/replay-deliveries.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * Issue 10, "a tenant can inject events into another tenant's WhatsApp traffic": tenant A registers a Meta
 * app with a secret it picks, signs deliveries naming tenant B's phone number, and posts them to its own
 * app's webhook URL. Nothing of B may change (decision 0009).
 */
describe.each(databases)('a tenant-registered app cannot reach another tenant on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  const graph = new FakeGraphClient();
  let keyA: string;
  let keyB: string;
  const customerOfB = '15550002222';
  let realInbound: string;
  let realOutbound: string;
  const appSecretA = 'attacker-chosen-secret-0001';

  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
    coxcox.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  const post = async (url: string, notification: unknown, secret: string) => {
    const body = metaJson(notification);
    const response = await coxcox.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, secret) },
    });
    expect(response.statusCode).toBe(200);
  };

  /** Everything downstream of a delivery: the inbox, the agent's turns, the dispatcher. */
  const settle = async () => {
    await coxcox.processor.drain();
    await coxcox.store.db.updateTable('jobs').set({ run_at: 0 }).where('state', '=', 'pending').execute();
    await coxcox.jobWorker.drain();
    await coxcox.dispatcher.runOnce();
    await coxcox.processor.drain();
  };

  /**
   * A hash per table of tenant B's rows: every table with a tenant_id column (contacts, conversations,
   * messages, message_statuses, consent_events, outbox, outbound_webhook_deliveries, webhook_events …),
   * and the job queue, where the agent's turns wait. `webhook_refusals` is the operator's record of the
   * attempt, not B's data.
   */
  const snapshotOfB = async () => {
    const tables = await coxcox.store.db.introspection.getTables();
    const hashes: Record<string, string> = {};
    for (const table of tables) {
      const hasTenant = table.columns.some((column) => column.name === 'tenant_id');
      if (table.name === 'webhook_refusals' || (!hasTenant && table.name !== 'jobs')) continue;
      // biome-ignore lint/suspicious/noExplicitAny: tables found by introspection are not in the typed schema.
      let query = (coxcox.store.db as any).selectFrom(table.name).selectAll();
      if (hasTenant) query = query.where('tenant_id', '=', 'tenant-b');
      // A replay processes B's own deliveries again: when and how often is bookkeeping, not B's data.
      const rows = ((await query.execute()) as Record<string, unknown>[]).map((row) =>
        table.name === 'webhook_deliveries' ? { ...row, processed_at: null, attempts: null } : row,
      );
      const lines = rows
        .map((row) =>
          JSON.stringify(row, (_key, value) => (Buffer.isBuffer(value) ? value.toString('hex') : value)),
        )
        .sort();
      hashes[table.name] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
    }
    return hashes;
  };

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database, { AGENT_DEBOUNCE_MS: '1' }, { graph });
    for (const id of ['tenant-a', 'tenant-b'])
      expect((await call('POST', '/api/v1/tenants', admin, { id, name: id })).statusCode).toBe(201);
    keyA = (await call('POST', '/api/v1/tenants/tenant-a/api-keys', admin, { name: 'a' })).json().key;
    keyB = (await call('POST', '/api/v1/tenants/tenant-b/api-keys', admin, { name: 'b' })).json().key;

    // B's number, connected through Coxcox's own app (no app of its own named), with a token to send. Ids
    // are registered unchecked by the operator only (a company connects its own through Meta).
    expect(
      (await call('POST', '/api/v1/tenants/tenant-b/wabas', admin, { wabaId: 'waba-b' })).statusCode,
    ).toBe(201);
    expect(
      (
        await call('POST', '/api/v1/tenants/tenant-b/phone-numbers', admin, {
          wabaId: 'waba-b',
          phoneNumberId: 'pn-b',
        })
      ).statusCode,
    ).toBe(201);
    await call('POST', '/api/v1/tenants/tenant-b/access-tokens', bearer(keyB), {
      token: 'token-of-tenant-b-0000000001',
      kind: 'system_user',
      wabaId: 'waba-b',
    });
    await coxcox.store.db
      .updateTable('phone_numbers')
      .set({ messaging_tier: 'TIER_UNLIMITED' })
      .where('phone_number_id', '=', 'pn-b')
      .execute();
    // B's outbound webhooks: a forged opt-out would fire contact.opted_out here.
    expect(
      (
        await call('POST', '/api/v1/webhook-endpoints', bearer(keyB), {
          url: 'https://hooks.tenant-b.example/coxcox',
        })
      ).statusCode,
    ).toBe(201);

    // A's own number, on its own app: A is an ordinary tenant, not a stranger.
    expect(
      (
        await call('POST', '/api/v1/tenants/tenant-a/apps', bearer(keyA), {
          appId: 'app-a',
          appSecret: appSecretA,
          verifyToken: 'verify-token-a-0001',
        })
      ).statusCode,
    ).toBe(201);
    await call('POST', '/api/v1/tenants/tenant-a/wabas', admin, { wabaId: 'waba-a', appId: 'app-a' });
    await call('POST', '/api/v1/tenants/tenant-a/phone-numbers', admin, {
      wabaId: 'waba-a',
      phoneNumberId: 'pn-a',
    });

    // B's real customer writes through Coxcox's app; B answers through the API, and Meta says it was sent.
    realInbound = wamid();
    await post(
      '/webhooks/whatsapp',
      textMessageNotification({
        wabaId: 'waba-b',
        phoneNumberId: 'pn-b',
        from: customerOfB,
        text: 'Hello B',
        id: realInbound,
      }),
      sandboxSecret(coxcox.config.secretKey, 'app secret'),
    );
    await settle();
    const sent = await call('POST', '/api/v1/messages', bearer(keyB), {
      message: { to: customerOfB, type: 'text', text: { body: 'Hello from B' } },
    });
    expect(sent.statusCode).toBe(202);
    await settle();
    const outbox = await coxcox.store.db
      .selectFrom('outbox')
      .select(['wamid', 'state'])
      .where('id', '=', sent.json().id)
      .executeTakeFirstOrThrow();
    expect(outbox.wamid).not.toBeNull();
    realOutbound = outbox.wamid!;
    // The agent's reply to B's customer goes out in paced bubbles: let them all go now, so that nothing of
    // B is still moving when the attack starts.
    for (let round = 0; round < 10; round += 1) {
      const queued = await coxcox.store.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (Number(queued.numUpdatedRows) === 0) break;
      await coxcox.store.db.deleteFrom('pair_pacers').execute();
      await settle();
    }
    expect(
      await coxcox.store.db.selectFrom('outbox').select('id').where('state', '=', 'queued').execute(),
    ).toEqual([]);
  });
  afterAll(async () => coxcox?.dispose());

  it('applies Coxcox’s app’s delivery for B’s number (the setup above) and keeps it in B’s log', async () => {
    const message = await coxcox.store.db
      .selectFrom('messages')
      .select(['tenant_id', 'direction'])
      .where('wamid', '=', realInbound)
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ tenant_id: 'tenant-b', direction: 'in' });
    const logB = (await call('GET', '/api/v1/webhook-deliveries', bearer(keyB))).json().data;
    expect(logB.some((delivery: { body: string }) => delivery.body.includes(realInbound))).toBe(true);
  });

  it('refuses a forged message, STOP and failed status for B’s number; nothing of B changes, on replay neither', async () => {
    const before = await snapshotOfB();
    const sentBefore = graph.sent.length;
    const forged = {
      object: 'whatsapp_business_account',
      entry: [
        {
          // Only B's phone number id is known to the attacker.
          id: 'waba-a',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000002', phone_number_id: 'pn-b' },
                contacts: [{ profile: { name: 'Forged' }, wa_id: customerOfB }],
                messages: [
                  {
                    from: customerOfB,
                    id: wamid(),
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'I want a refund, answer me' },
                  },
                  {
                    from: customerOfB,
                    id: wamid(),
                    timestamp: String(Math.floor(Date.now() / 1000) + 1),
                    type: 'text',
                    text: { body: 'STOP' },
                  },
                ],
                statuses: [
                  {
                    id: realOutbound,
                    status: 'failed',
                    timestamp: String(Math.floor(Date.now() / 1000) + 2),
                    recipient_id: customerOfB,
                    errors: [{ code: 131026, title: 'Message undeliverable' }],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    await post('/webhooks/whatsapp/app-a', forged, appSecretA);
    await settle();
    expect(await snapshotOfB()).toEqual(before);
    expect(graph.sent.length).toBe(sentBefore);

    // The delivery is kept and flagged for the operator, with the reason.
    const refused = (await call('GET', '/api/v1/webhook-deliveries?isRefused=true', admin)).json().data;
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ appId: 'app-a', refusedCount: 3, tenantId: null });
    expect(refused[0].refusal).toContain('other_tenant_app');
    const one = (await call('GET', `/api/v1/webhook-deliveries/${refused[0].id}`, admin)).json();
    expect(one.refusals.map((refusal: { reason: string; tenantId: string }) => refusal.reason)).toEqual([
      'other_tenant_app',
      'other_tenant_app',
      'other_tenant_app',
    ]);
    expect(one.refusals.every((refusal: { tenantId: string }) => refusal.tenantId === 'tenant-b')).toBe(true);
    // Neither tenant sees it as its own.
    for (const key of [keyA, keyB]) {
      const log = (await call('GET', '/api/v1/webhook-deliveries', bearer(key))).json().data;
      expect(log.map((delivery: { id: number }) => delivery.id)).not.toContain(refused[0].id);
      expect((await call('GET', `/api/v1/webhook-deliveries/${refused[0].id}`, bearer(key))).statusCode).toBe(
        404,
      );
    }
    // And /metrics counts it.
    const metrics = (await call('GET', '/metrics', admin)).body;
    expect(metrics).toMatch(/coxcox_webhook_refused_events_total\{reason="other_tenant_app"\} 3\b/);

    // A replay decides again, and refuses again.
    expect(await replayDeliveries(coxcox.store.db, { all: true })).toBeGreaterThan(1);
    await settle();
    expect(await snapshotOfB()).toEqual(before);
    const again = (await call('GET', `/api/v1/webhook-deliveries/${refused[0].id}`, admin)).json();
    expect(again).toMatchObject({ state: 'processed', refusedCount: 3 });
    expect(again.refusals).toHaveLength(3);
  });

  it('applies a tenant’s own app’s delivery for its own number', async () => {
    const appSecretB = 'b-owns-this-secret-0002';
    expect(
      (
        await call('POST', '/api/v1/tenants/tenant-b/apps', bearer(keyB), {
          appId: 'app-b',
          appSecret: appSecretB,
          verifyToken: 'verify-token-b-0002',
        })
      ).statusCode,
    ).toBe(201);
    const ownB = wamid();
    await post(
      '/webhooks/whatsapp/app-b',
      textMessageNotification({
        wabaId: 'waba-b',
        phoneNumberId: 'pn-b',
        from: customerOfB,
        text: 'hi',
        id: ownB,
      }),
      appSecretB,
    );
    const ownA = wamid();
    await post(
      '/webhooks/whatsapp/app-a',
      textMessageNotification({
        wabaId: 'waba-a',
        phoneNumberId: 'pn-a',
        from: '15550003333',
        text: 'hi',
        id: ownA,
      }),
      appSecretA,
    );
    await coxcox.processor.drain();
    const rows = await coxcox.store.db
      .selectFrom('messages')
      .select(['wamid', 'tenant_id'])
      .where('wamid', 'in', [ownA, ownB])
      .orderBy('tenant_id')
      .execute();
    expect(rows).toEqual([
      { wamid: ownA, tenant_id: 'tenant-a' },
      { wamid: ownB, tenant_id: 'tenant-b' },
    ]);
  });

  it('lets no tenant register Coxcox’s own app, or change its secret', async () => {
    for (const [tenantId, key] of [
      ['tenant-a', keyA],
      ['tenant-b', keyB],
    ] as const) {
      const response = await call('POST', `/api/v1/tenants/${tenantId}/apps`, bearer(key), {
        appId: SANDBOX_APP_ID,
        appSecret: 'taken-over-secret-0003',
        verifyToken: 'taken-over-token-0003',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
  });
});
