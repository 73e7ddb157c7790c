import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSettings } from '../../src/agent/index.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { createLogger } from '../../src/http/create-logger.ts';
import { testDatabases } from '../support/databases.ts';
import { admin, startAgentCoxcox } from './agent-harness.ts';
import { call, RecordingModel } from './recording-model.ts';

const databases = await testDatabases();
const API_KEY = 'sk-test-very-secret-model-key-000111222';

describe.each(databases)('agent API on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;
  const logLines: string[] = [];
  const settingsSeen: ModelSettings[] = [];
  const model = new RecordingModel((input, previous) =>
    previous.length === 0
      ? {
          replies: [`Hello from ${input.profile.companyName}!`, 'What is your budget?'],
          toolCalls: [
            call('record_lead_fields', { fields: { budget: '5000' } }),
            call('schedule_callback', { at: 'tomorrow' }),
            call('set_outcome', { outcome: 'interested' }),
          ],
        }
      : { replies: [], toolCalls: [] },
  );
  let sandboxKey: string;
  let otherKey: string;
  let conversationId: string;
  let documentId: string;
  const asSandbox = () => ({ authorization: `Bearer ${sandboxKey}` });
  const asOther = () => ({ authorization: `Bearer ${otherKey}` });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    harness = await startAgentCoxcox(database, model, {
      env: { LOG_LEVEL: 'debug' },
      logger: createLogger('debug', sink),
      modelFor: (settings) => {
        settingsSeen.push(settings);
        return model;
      },
    });
    const { api } = harness;
    expect((await api('POST', '/api/v1/tenants', { id: 'other', name: 'Other Co' })).statusCode).toBe(201);
    sandboxKey = (await api('POST', `/api/v1/tenants/${SANDBOX_TENANT_ID}/api-keys`, { name: 'ci' })).json()
      .key;
    otherKey = (await api('POST', '/api/v1/tenants/other/api-keys', { name: 'ci' })).json().key;
    await harness.draftCampaign('summer');
    await harness.draftCampaign('winter');
    await harness.draftCampaign('others-campaign', 'other');
    await harness.customerWrites('5511900003001', 'Hello, I have a question about the 5511900003001 plan');
    await harness.runTurns();
    conversationId = (await harness.conversationOf('5511900003001')).id;
    documentId = (
      await api('POST', `/api/v1/agent/knowledge?tenantId=${SANDBOX_TENANT_ID}`, {
        title: 'Prices',
        content: 'Basic costs 10.',
      })
    ).json().id;
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('shows the built-in default profile, then the saved one, per tenant and per campaign', async () => {
    const before = (await harness.api('GET', '/api/v1/agent/profile', undefined, asSandbox())).json();
    expect(before).toMatchObject({
      isDefault: true,
      isEnabled: true,
      profile: { companyName: 'Sandbox company' },
    });
    const saved = await harness.api(
      'PUT',
      '/api/v1/agent/profile',
      {
        profile: {
          companyName: 'Sandbox Solar',
          goal: 'book',
          fields: [{ name: 'budget', question: 'What is your budget?' }],
          languages: ['pt', 'en'],
          allowedTools: ['record_lead_fields', 'set_outcome', 'schedule_callback'],
          businessHours: { timeZone: 'America/Sao_Paulo', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
        },
        windowClosedTemplate: { name: 'follow_up', languageCode: 'pt_BR' },
      },
      asSandbox(),
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      isDefault: false,
      profile: { companyName: 'Sandbox Solar', goal: 'book', maxTurns: 30, maxCostUsd: 1 },
      windowClosedTemplate: { name: 'follow_up', languageCode: 'pt_BR', category: 'UTILITY' },
    });
    const campaign = await harness.api(
      'PUT',
      '/api/v1/agent/profile?campaignId=summer',
      { profile: { companyName: 'Sandbox Solar (summer)', persona: 'Bia' } },
      asSandbox(),
    );
    expect(campaign.json()).toMatchObject({ campaignId: 'summer', profile: { persona: 'Bia' } });
    // A campaign without a profile of its own uses the tenant's.
    const fallback = (
      await harness.api('GET', '/api/v1/agent/profile?campaignId=winter', undefined, asSandbox())
    ).json();
    expect(fallback).toMatchObject({ id: null, profile: { companyName: 'Sandbox Solar' } });
    // The other tenant still has the default.
    const other = (await harness.api('GET', '/api/v1/agent/profile', undefined, asOther())).json();
    expect(other).toMatchObject({ isDefault: true, profile: { companyName: 'Other Co' } });
  });

  it('validates profiles', async () => {
    const response = await harness.api(
      'PUT',
      '/api/v1/agent/profile',
      {
        profile: {
          companyName: 'X',
          goal: 'conquer',
          businessHours: { timeZone: 'Mars/Base', days: [9], from: '9', to: '18:00' },
        },
      },
      asSandbox(),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    const unknownTool = await harness.api(
      'PUT',
      '/api/v1/agent/profile',
      { profile: { companyName: 'X', allowedTools: ['launch_rockets'] } },
      asSandbox(),
    );
    expect(unknownTool.statusCode).toBe(400);
  });

  it('keeps the model api key write-only: sealed at rest, never returned, never logged', async () => {
    const put = await harness.api(
      'PUT',
      '/api/v1/agent/model-settings',
      {
        provider: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:11434/v1',
        model: 'llama3.1',
        apiKey: API_KEY,
      },
      asSandbox(),
    );
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      hasApiKey: true,
      isInherited: false,
    });
    const got = await harness.api('GET', '/api/v1/agent/model-settings', undefined, asSandbox());
    const profile = await harness.api('GET', '/api/v1/agent/profile', undefined, asSandbox());
    const campaign = await harness.api(
      'GET',
      '/api/v1/agent/model-settings?campaignId=summer',
      undefined,
      asSandbox(),
    );
    expect(campaign.json()).toMatchObject({
      provider: 'openai-compatible',
      isInherited: true,
      hasApiKey: true,
    });
    for (const response of [put, got, profile, campaign]) expect(response.body).not.toContain(API_KEY);
    const row = await harness.coxcox.store.db
      .selectFrom('agent_profiles')
      .select('model_api_key_enc')
      .where('tenant_id', '=', SANDBOX_TENANT_ID)
      .where('campaign_key', '=', '')
      .executeTakeFirstOrThrow();
    expect(row.model_api_key_enc).toMatch(/^v1\./);
    expect(row.model_api_key_enc).not.toContain(API_KEY);

    // The key reaches the model adapter, decrypted, and only there.
    const check = await harness.api('POST', '/api/v1/agent/model-settings/test', undefined, asSandbox());
    expect(check.json()).toMatchObject({ isOk: true, model: 'test-double' });
    expect(settingsSeen.at(-1)).toMatchObject({
      provider: 'openai-compatible',
      apiKey: API_KEY,
      model: 'llama3.1',
    });

    // Omitting the key keeps it; null removes it.
    const kept = await harness.api(
      'PUT',
      '/api/v1/agent/model-settings',
      { provider: 'openai-compatible', model: 'qwen2.5' },
      asSandbox(),
    );
    expect(kept.json()).toMatchObject({ hasApiKey: true, model: 'qwen2.5' });
    const removed = await harness.api(
      'PUT',
      '/api/v1/agent/model-settings',
      { provider: 'playbook', apiKey: null },
      asSandbox(),
    );
    expect(removed.json()).toMatchObject({ provider: 'playbook', hasApiKey: false });
    expect(logLines.join('\n')).not.toContain(API_KEY);
    const bad = await harness.api('PUT', '/api/v1/agent/model-settings', { provider: 'skynet' }, asSandbox());
    expect(bad.statusCode).toBe(400);
  });

  it('reports a failing model connection without leaking the key', async () => {
    await harness.api(
      'PUT',
      '/api/v1/agent/model-settings',
      { provider: 'anthropic', apiKey: API_KEY },
      asSandbox(),
    );
    model.failNext = 1;
    const check = (
      await harness.api('POST', '/api/v1/agent/model-settings/test', undefined, asSandbox())
    ).json();
    expect(check).toMatchObject({ isOk: false });
    expect(check.error).toContain('model unavailable');
    expect(check.error).not.toContain('5511987650000');
    await harness.api(
      'PUT',
      '/api/v1/agent/model-settings',
      { provider: 'playbook', apiKey: null },
      asSandbox(),
    );
  });

  it('lets a tenant talk to the agent in the playground: replies and tool calls, nothing sent or stored', async () => {
    const outboxBefore = await harness.coxcox.store.db.selectFrom('outbox').select('id').execute();
    const conversationsBefore = await harness.coxcox.store.db
      .selectFrom('conversations')
      .select('id')
      .execute();
    const response = await harness.api(
      'POST',
      '/api/v1/agent/playground',
      { messages: ['Hi, how much is the basic plan?'], history: [{ speaker: 'agent', text: 'Hello!' }] },
      asSandbox(),
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.replies).toEqual(['Hello from Sandbox Solar!', 'What is your budget?']);
    expect(
      body.toolCalls.map((toolCall: { name: string; isError: boolean }) => [toolCall.name, toolCall.isError]),
    ).toEqual([
      ['record_lead_fields', false],
      ['schedule_callback', true], // "tomorrow" is not an ISO time: the zod message goes back to the model
      ['set_outcome', false],
    ]);
    expect(JSON.stringify(body.toolCalls[1].result)).toMatch(/at|ISO|datetime/i);
    expect(body).toMatchObject({
      leadFields: { budget: '5000' },
      outcome: 'interested',
      model: 'test-double',
    });
    expect(body.knowledge[0]).toMatchObject({ documentId });
    expect(await harness.coxcox.store.db.selectFrom('outbox').select('id').execute()).toHaveLength(
      outboxBefore.length,
    );
    expect(await harness.coxcox.store.db.selectFrom('conversations').select('id').execute()).toHaveLength(
      conversationsBefore.length,
    );
    // A profile can be tried before it is saved.
    const trial = await harness.api(
      'POST',
      '/api/v1/agent/playground',
      { messages: ['hi'], profile: { companyName: 'Draft Co' } },
      asSandbox(),
    );
    expect(trial.json().replies[0]).toBe('Hello from Draft Co!');
  });

  it('lists conversations with lead fields, outcome and owner, scoped to the tenant', async () => {
    const own = (await harness.api('GET', '/api/v1/conversations', undefined, asSandbox())).json().data;
    expect(own.find((conversation: { id: string }) => conversation.id === conversationId)).toMatchObject({
      leadFields: { budget: '5000' },
      outcome: 'interested',
      owner: 'agent',
      isWindowOpen: true,
    });
    expect((await harness.api('GET', '/api/v1/conversations', undefined, asOther())).json().data).toEqual([]);
    expect(
      (await harness.api('GET', `/api/v1/conversations?tenantId=${SANDBOX_TENANT_ID}`, undefined, asOther()))
        .statusCode,
    ).toBe(404);
    const byAdmin = (
      await harness.api('GET', `/api/v1/conversations?tenantId=${SANDBOX_TENANT_ID}&owner=agent`)
    ).json().data;
    expect(byAdmin.length).toBeGreaterThan(0);
  });

  it("answers 404 on every id route for another tenant's ids", async () => {
    const otherHeaders = asOther();
    const attempts = [
      ['GET', `/api/v1/conversations/${conversationId}`, undefined],
      ['GET', `/api/v1/conversations/${conversationId}/turns`, undefined],
      ['POST', `/api/v1/conversations/${conversationId}/takeover`, {}],
      ['POST', `/api/v1/conversations/${conversationId}/handback`, undefined],
      ['POST', `/api/v1/conversations/${conversationId}/messages`, { text: 'hi' }],
      ['GET', `/api/v1/agent/knowledge/${documentId}`, undefined],
      ['DELETE', `/api/v1/agent/knowledge/${documentId}`, undefined],
      ['GET', `/api/v1/agent/knowledge?tenantId=${SANDBOX_TENANT_ID}`, undefined],
      ['GET', `/api/v1/agent/profile?tenantId=${SANDBOX_TENANT_ID}`, undefined],
      ['POST', `/api/v1/agent/playground?tenantId=${SANDBOX_TENANT_ID}`, { messages: ['hi'] }],
    ] as const;
    for (const [method, url, payload] of attempts) {
      const response = await harness.api(method, url, payload, otherHeaders);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
    // Nothing changed: the conversation is still the agent's, and the document is still there.
    const conversation = (
      await harness.api('GET', `/api/v1/conversations/${conversationId}`, undefined, asSandbox())
    ).json();
    expect(conversation.owner).toBe('agent');
    expect(
      (await harness.api('GET', `/api/v1/agent/knowledge/${documentId}`, undefined, asSandbox())).statusCode,
    ).toBe(200);
    // The owner and the admin see them.
    expect(
      (
        await harness.api('GET', `/api/v1/conversations/${conversationId}/turns`, undefined, asSandbox())
      ).json().data.length,
    ).toBeGreaterThan(0);
    expect(
      (await harness.api('GET', `/api/v1/conversations/${conversationId}`, undefined, admin)).statusCode,
    ).toBe(200);
    expect((await harness.api('GET', '/api/v1/conversations/nope')).statusCode).toBe(404);
  });

  it("refuses another tenant's campaign id on the agent routes, as a missing one, and keys nothing to it", async () => {
    for (const campaignId of ['others-campaign', 'no-such-campaign']) {
      const query = `?campaignId=${campaignId}`;
      const attempts = [
        ['PUT', `/api/v1/agent/profile${query}`, { profile: { companyName: 'Sandbox Solar' } }],
        ['PUT', `/api/v1/agent/model-settings${query}`, { provider: 'playbook' }],
        ['POST', `/api/v1/agent/model-settings/test${query}`, { provider: 'playbook' }],
        ['GET', `/api/v1/agent/profile${query}`, undefined],
        ['GET', `/api/v1/agent/model-settings${query}`, undefined],
        ['POST', '/api/v1/agent/playground', { campaignId, messages: ['hi'] }],
      ] as const;
      for (const [method, url, payload] of attempts) {
        const response = await harness.api(method, url, payload, asSandbox());
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(response.json().error).toMatchObject({
          code: 'not_found',
          message: `campaign ${campaignId} was not found`,
        });
      }
    }
    const keyed = await harness.coxcox.store.db
      .selectFrom('agent_profiles')
      .select('tenant_id')
      .where('campaign_key', 'in', ['others-campaign', 'no-such-campaign'])
      .execute();
    expect(keyed).toEqual([]);
    // The other tenant's own campaign is its to configure.
    const own = await harness.api(
      'PUT',
      '/api/v1/agent/profile?campaignId=others-campaign',
      { profile: { companyName: 'Other Co (campaign)' } },
      asOther(),
    );
    expect(own.statusCode).toBe(200);
  });

  it('keeps phone numbers and e-mail addresses out of the agent’s logs', async () => {
    model.failNext = 1;
    await harness.customerWrites('5511900003002', 'write me at maria.silva@example.com');
    await harness.runTurns();
    const agentLines = logLines.filter((line) => line.includes('"worker":"agent"'));
    expect(agentLines.length).toBeGreaterThan(0);
    expect(agentLines.join('\n')).not.toContain('5511987650000');
    expect(agentLines.join('\n')).toContain('[phone]');
  });
});
