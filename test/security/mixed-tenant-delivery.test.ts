import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSecret } from '../../src/coxcox.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification, wamid } from '../support/meta-body.ts';

const databases = await testDatabases();

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface DeliveryView {
  id: number;
  tenantId: string | null;
  eventCount: number;
  bodyScope: string;
  body: string | null;
}

/**
 * Issue 10, "mixed-tenant deliveries": Meta may batch two tenants' WABAs in one delivery (Coxcox's app
 * serves both). Each tenant sees only its own entries of the raw body; the admin token sees it whole.
 */
describe.each(databases)('a delivery with two tenants’ WABAs on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  const keys: Record<string, string> = {};
  const messageOfA = wamid();
  const messageOfB = wamid();
  let deliveryId: number;

  const call = (url: string, headers: Record<string, string>) =>
    coxcox.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database);
    for (const tenant of ['a', 'b']) {
      const post = (url: string, headers: Record<string, string>, payload: object) =>
        coxcox.app.inject({ method: 'POST', url, headers, payload });
      expect(
        (await post('/api/v1/tenants', admin, { id: `tenant-${tenant}`, name: tenant })).statusCode,
      ).toBe(201);
      keys[tenant] = (
        await post(`/api/v1/tenants/tenant-${tenant}/api-keys`, admin, { name: tenant })
      ).json().key;
      await post(`/api/v1/tenants/tenant-${tenant}/wabas`, admin, { wabaId: `waba-${tenant}` });
      await post(`/api/v1/tenants/tenant-${tenant}/phone-numbers`, admin, {
        wabaId: `waba-${tenant}`,
        phoneNumberId: `pn-${tenant}`,
      });
    }
    const entryOf = (tenant: string, id: string, text: string) =>
      textMessageNotification({
        wabaId: `waba-${tenant}`,
        phoneNumberId: `pn-${tenant}`,
        from: tenant === 'a' ? '15550001111' : '15550002222',
        text,
        id,
      }).entry[0]!;
    const body = metaJson({
      object: 'whatsapp_business_account',
      entry: [entryOf('a', messageOfA, 'for tenant A'), entryOf('b', messageOfB, 'private to tenant B')],
    });
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signature(body, sandboxSecret(coxcox.config.secretKey, 'app secret')),
      },
    });
    expect(response.statusCode).toBe(200);
    await coxcox.processor.drain();
    const all = (await call('/api/v1/webhook-deliveries', admin)).json().data as DeliveryView[];
    expect(all).toHaveLength(1);
    deliveryId = all[0]!.id;
  });
  afterAll(async () => coxcox?.dispose());

  it('applies both tenants’ events', async () => {
    const rows = await coxcox.store.db
      .selectFrom('messages')
      .select(['wamid', 'tenant_id'])
      .where('wamid', 'in', [messageOfA, messageOfB])
      .orderBy('tenant_id')
      .execute();
    expect(rows).toEqual([
      { wamid: messageOfA, tenant_id: 'tenant-a' },
      { wamid: messageOfB, tenant_id: 'tenant-b' },
    ]);
  });

  it('shows each tenant only its own entries, in the list and the single view', async () => {
    for (const [tenant, own, other] of [
      ['a', messageOfA, messageOfB],
      ['b', messageOfB, messageOfA],
    ] as const) {
      const otherTenant = tenant === 'a' ? 'b' : 'a';
      const list = (await call('/api/v1/webhook-deliveries', bearer(keys[tenant]!))).json()
        .data as DeliveryView[];
      const one = (await call(`/api/v1/webhook-deliveries/${deliveryId}`, bearer(keys[tenant]!))).json();
      expect(list.map((delivery) => delivery.id)).toEqual([deliveryId]);
      for (const view of [list[0]!, one as DeliveryView]) {
        expect(view).toMatchObject({ tenantId: `tenant-${tenant}`, eventCount: 1, bodyScope: 'tenant' });
        expect(view.body).toContain(own);
        for (const secret of [other, `waba-${otherTenant}`, `pn-${otherTenant}`])
          expect(view.body).not.toContain(secret);
        const entries = JSON.parse(view.body!).entry as Array<{ id: string }>;
        expect(entries.map((entry) => entry.id)).toEqual([`waba-${tenant}`]);
      }
    }
  });

  it('shows the admin token the whole body, and which tenants it carried', async () => {
    const one = (await call(`/api/v1/webhook-deliveries/${deliveryId}`, admin)).json();
    expect(one).toMatchObject({ eventCount: 2, bodyScope: 'full' });
    expect(one.body).toContain(messageOfA);
    expect(one.body).toContain(messageOfB);
    expect(one.parts).toEqual([
      { tenantId: 'tenant-a', eventCount: 1 },
      { tenantId: 'tenant-b', eventCount: 1 },
    ]);
    const ofB = (await call('/api/v1/webhook-deliveries?tenantId=tenant-b', admin)).json().data;
    expect(ofB.map((delivery: DeliveryView) => delivery.id)).toEqual([deliveryId]);
  });
});
