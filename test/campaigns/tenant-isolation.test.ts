import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { testDatabases } from '../support/databases.ts';
import { admin as adminHeaders, type CampaignHarness, startCampaignCoxcox } from './campaign-harness.ts';

const databases = await testDatabases();

describe.each(databases)('tenant isolation of the campaigns API on $name', (database) => {
  let harness: CampaignHarness;
  let own: { authorization: string };
  let other: { authorization: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database, { allowPrivateNetworkTargets: true });
    own = {
      authorization: `Bearer ${(await harness.coxcox.directory.createApiKey(SANDBOX_TENANT_ID, 'own')).key}`,
    };
    const tenant = await harness.coxcox.directory.createTenant({ name: 'Other company' });
    other = {
      authorization: `Bearer ${(await harness.coxcox.directory.createApiKey(tenant.id, 'other')).key}`,
    };

    const imported = await harness.importFile('phone,name\n+5511987650001,Ana\nbad,row\n');
    ids.import = imported.id;
    ids.contact = (await harness.db.selectFrom('contacts').select('id').executeTakeFirstOrThrow()).id;
    await harness.api('POST', '/do-not-contact', { phones: ['+5511987650002'] });
    ids.template = await harness.templateId('follow_up');
    const campaign = await harness.api(
      'POST',
      '/campaigns',
      { name: 'Mine', templateId: ids.template, parameters: { body: ['name'] } },
      own,
    );
    expect(campaign.statusCode, campaign.body).toBe(201);
    ids.campaign = campaign.json().id;
    const endpoint = await harness.api('POST', '/webhook-endpoints', { url: 'http://127.0.0.1:9/hook' }, own);
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    ids.endpoint = endpoint.json().id;
  });
  afterAll(async () => harness?.coxcox.dispose());

  const routes = (): Array<[method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown]> => [
    ['GET', `/contacts/${ids.contact}`],
    ['PATCH', `/contacts/${ids.contact}`, { name: 'Stolen' }],
    ['POST', `/contacts/${ids.contact}/opt-out`, { scope: 'all' }],
    ['POST', `/contacts/${ids.contact}/opt-in`, { scope: 'all', source: 'forged' }],
    ['GET', `/contacts/${ids.contact}/consent`],
    ['GET', `/imports/${ids.import}`],
    ['GET', `/imports/${ids.import}/errors.csv`],
    ['DELETE', '/do-not-contact/5511987650002'],
    ['GET', `/templates/${ids.template}`],
    ['POST', `/templates/${ids.template}/preview`, {}],
    ['GET', `/campaigns/${ids.campaign}`],
    ['POST', `/campaigns/${ids.campaign}/launch`],
    ['POST', `/campaigns/${ids.campaign}/pause`],
    ['POST', `/campaigns/${ids.campaign}/resume`],
    ['POST', `/campaigns/${ids.campaign}/cancel`],
    ['GET', `/campaigns/${ids.campaign}/funnel`],
    ['GET', `/campaigns/${ids.campaign}/funnel.csv`],
    ['GET', `/campaigns/${ids.campaign}/contacts`],
    ['GET', `/campaigns/${ids.campaign}/contacts.csv`],
    ['GET', `/webhook-endpoints/${ids.endpoint}/deliveries`],
    ['DELETE', `/webhook-endpoints/${ids.endpoint}`],
  ];

  it('answers 404 to another tenant on every route with an id, and changes nothing', async () => {
    for (const [method, url, body] of routes()) {
      const response = await harness.api(method, url, body, other);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code, `${method} ${url}`).toBe('not_found');
    }
    const contact = (await harness.api('GET', `/contacts/${ids.contact}`, undefined, own)).json();
    expect(contact).toMatchObject({ name: 'Ana', optedOutAt: null });
    expect((await harness.api('GET', `/campaigns/${ids.campaign}`, undefined, own)).json().state).toBe(
      'draft',
    );
    expect((await harness.api('GET', '/do-not-contact', undefined, own)).json().data).toHaveLength(1);
    expect((await harness.api('GET', '/webhook-endpoints', undefined, own)).json().data[0].isActive).toBe(
      true,
    );
  });

  it('answers 404 when a tenant key names another tenant, and lists only the caller’s own', async () => {
    const response = await harness.api(
      'GET',
      `/contacts/${ids.contact}?tenantId=${SANDBOX_TENANT_ID}`,
      undefined,
      other,
    );
    expect(response.statusCode).toBe(404);
    for (const url of [
      '/contacts',
      '/imports',
      '/templates',
      '/campaigns',
      '/do-not-contact',
      '/webhook-endpoints',
      '/outbound-deliveries',
    ]) {
      const list = await harness.api('GET', url, undefined, other);
      expect(list.statusCode, url).toBe(200);
      expect(list.json().data, url).toEqual([]);
    }
    // Another tenant's number or template cannot be used either.
    const campaign = await harness.api(
      'POST',
      '/campaigns',
      {
        name: 'Theirs',
        phoneNumberId: '100000000000002',
        templateId: ids.template,
        parameters: { body: ['name'] },
      },
      other,
    );
    expect(campaign.statusCode).toBe(404);
    const admin = await harness.coxcox.app.inject({
      method: 'GET',
      url: `/api/v1/campaigns/${ids.campaign}`,
      headers: adminHeaders,
    });
    expect(admin.json().error.code).toBe('validation_failed'); // an admin must name the tenant
  });

  it('works for the owner on every one of those routes', async () => {
    for (const [method, url, body] of routes()) {
      const response = await harness.api(method, url, body, own);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(500);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).not.toBe(404);
    }
  });
});

describe('the campaigns API in the OpenAPI document', () => {
  it('documents every route', async () => {
    const harness = await startCampaignCoxcox((await testDatabases())[0]!);
    try {
      const response = await harness.coxcox.app.inject({ method: 'GET', url: '/docs/json' });
      expect(response.statusCode).toBe(200);
      const paths = Object.keys(response.json().paths);
      for (const path of [
        '/api/v1/contacts',
        '/api/v1/contacts/{id}/opt-out',
        '/api/v1/contacts/{id}/consent',
        '/api/v1/imports',
        '/api/v1/imports/{id}/errors.csv',
        '/api/v1/do-not-contact',
        '/api/v1/consent-settings',
        '/api/v1/templates/sync',
        '/api/v1/templates/{id}/preview',
        '/api/v1/campaigns',
        '/api/v1/campaigns/{id}/launch',
        '/api/v1/campaigns/{id}/funnel',
        '/api/v1/campaigns/{id}/funnel.csv',
        '/api/v1/webhook-endpoints',
        '/api/v1/webhook-endpoints/{id}/deliveries',
      ]) {
        expect(paths, path).toContain(path);
      }
    } finally {
      await harness.coxcox.dispose();
    }
  });
});
