import { expect } from 'vitest';
import type { CampaignsConfig } from '../../src/campaigns/index.ts';
import {
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import type { TemplateDraft } from '../../src/whatsapp/graph/index.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import type { TestDatabase } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification, wamid } from '../support/meta-body.ts';

export const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * The clock of a test: it starts at a pinned time and runs at real speed (the dispatcher's token buckets
 * need time to pass); `advance` jumps it forward. Campaigns and the dispatcher both read it.
 */
export class TestClock {
  private readonly realStart = Date.now();
  private readonly startMs: number;
  private offsetMs = 0;
  constructor(startMs: number) {
    this.startMs = startMs;
  }
  now = (): number => this.startMs + (Date.now() - this.realStart) + this.offsetMs;
  /** Jumps to `iso` (which must be later). */
  set(iso: string): void {
    this.offsetMs += Date.parse(iso) - this.now();
  }
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** Templates every campaign test can use, approved in the sandbox WABA. */
export const TEMPLATES: TemplateDraft[] = [
  {
    name: 'spring_offer',
    category: 'MARKETING',
    language: 'pt_BR',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Oferta para {{1}}' },
      {
        type: 'BODY',
        text: 'Olá {{1}}! O plano {{2}} está com desconto. Quer saber mais?',
        example: { body_text: [['Ana', 'Pro']] },
      },
      { type: 'FOOTER', text: 'Responda PARAR para não receber mais' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Quero saber' },
          { type: 'URL', text: 'Ver', url: 'https://example.com/o/{{1}}' },
        ],
      },
    ],
  },
  {
    name: 'spring_offer_b',
    category: 'MARKETING',
    language: 'pt_BR',
    components: [{ type: 'BODY', text: 'Oi {{1}}, temos novidades para você!' }],
  },
  {
    name: 'follow_up',
    category: 'MARKETING',
    language: 'pt_BR',
    components: [{ type: 'BODY', text: '{{1}}, ainda tem interesse?' }],
  },
  {
    name: 'named_offer',
    category: 'MARKETING',
    language: 'en_US',
    parameterFormat: 'named',
    components: [{ type: 'BODY', text: 'Hi {{first_name}}, your code is {{code}}' }],
  },
];

/** `startMs`: the clock's start; a Monday, 12:00 in São Paulo by default (the agent's own hook keeps real time). */
export async function startCampaignCoxcox(
  database: TestDatabase,
  config: Partial<CampaignsConfig> = {},
  startMs: number = Date.parse('2026-03-02T15:00:00Z'),
) {
  const graph = new FakeGraphClient();
  const clock = new TestClock(startMs);
  const coxcox = await startTestCoxcox(
    database,
    {},
    { graph, campaigns: { now: clock.now, ...config }, dispatcher: { now: clock.now } },
  );
  const db = coxcox.store.db;
  await db
    .updateTable('phone_numbers')
    .set({ messaging_tier: 'TIER_UNLIMITED', throughput_mps: 1000 })
    .execute();
  const appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');
  const access = {
    accessToken: sandboxSecret(coxcox.config.secretKey, 'access token'),
    graphApiUrl: 'https://fake.graph.invalid',
    graphApiVersion: 'v23.0',
  };
  for (const template of TEMPLATES) {
    await graph.createTemplate(access, SANDBOX_WABA_ID, template);
    graph.setTemplateStatus(SANDBOX_WABA_ID, template.name, template.language, 'APPROVED');
  }

  const api = async (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    headers = admin,
  ) => {
    const separator = url.includes('?') ? '&' : '?';
    const scoped = headers === admin ? `${url}${separator}tenantId=${SANDBOX_TENANT_ID}` : url;
    return coxcox.app.inject({
      method,
      url: `/api/v1${scoped}`,
      headers,
      ...(payload === undefined
        ? {}
        : typeof payload === 'string'
          ? { payload }
          : { payload: payload as object }),
    });
  };

  const deliver = async (notification: unknown) => {
    const body = metaJson(notification);
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, appSecret) },
    });
    expect(response.statusCode).toBe(200);
    await coxcox.processor.drain();
  };

  const customerWrites = (from: string, text: string) =>
    deliver(
      textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from,
        text,
        id: wamid(),
        timestamp: clock.seconds(),
      }),
    );

  /** Status webhooks for messages the fake accepted, with Meta's pricing object when given. */
  const statusesArrive = (
    statuses: Array<{
      sent: { wamid: string; options: { bizOpaqueCallbackData?: string }; message: { to: string } };
      status: string;
      errors?: unknown[];
      pricing?: unknown;
    }>,
  ) =>
    deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: SANDBOX_WABA_ID,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550000001', phone_number_id: SANDBOX_PHONE_NUMBER_ID },
                statuses: statuses.map((item) => ({
                  id: item.sent.wamid,
                  status: item.status,
                  timestamp: String(clock.seconds()),
                  recipient_id: item.sent.message.to.replace(/\D/g, ''),
                  biz_opaque_callback_data: item.sent.options.bizOpaqueCallbackData,
                  ...(item.errors ? { errors: item.errors } : {}),
                  ...(item.pricing ? { pricing: item.pricing } : {}),
                })),
              },
            },
          ],
        },
      ],
    });

  const synced = await api('POST', '/templates/sync');
  expect(synced.statusCode, synced.body).toBe(200);

  /** Imports a file through the API and runs the import job to the end. */
  const importFile = async (body: string, query = 'country=BR', contentType = 'text/csv') => {
    const response = await coxcox.app.inject({
      method: 'POST',
      url: `/api/v1/imports?tenantId=${SANDBOX_TENANT_ID}&${query}`,
      headers: { ...admin, 'content-type': contentType },
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(202);
    await coxcox.campaigns.jobs.drain();
    return (await api('GET', `/imports/${response.json().id}`)).json();
  };

  /** One scheduler pass, then the dispatcher sends what it released. */
  const runCampaigns = async () => {
    await coxcox.campaigns.scheduler.drain();
    await coxcox.dispatcher.runOnce();
    await coxcox.campaigns.scheduler.drain();
  };

  /** Makes every campaign due now (a test moved the clock). */
  const tickNow = () =>
    db
      .updateTable('campaigns')
      .set({ next_tick_at: clock.now() })
      .where('state', 'in', ['planning', 'running'])
      .execute();

  const templateId = async (name: string) => {
    const row = await db
      .selectFrom('message_templates')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.id;
  };

  const sentTo = (waId: string) => graph.sent.filter((sent) => sent.message.to.replace(/\D/g, '') === waId);

  return {
    coxcox,
    graph,
    clock,
    db,
    api,
    deliver,
    customerWrites,
    statusesArrive,
    importFile,
    runCampaigns,
    tickNow,
    templateId,
    sentTo,
  };
}

export type CampaignHarness = Awaited<ReturnType<typeof startCampaignCoxcox>>;
