import type { Logger } from 'pino';
import { expect } from 'vitest';
import type { AgentModel } from '../../src/agent/agent-model.ts';
import type { ModelFactory } from '../../src/agent/index.ts';
import '../../src/campaigns/campaign-schema.ts';
import {
  type CreateCoxcoxOptions,
  SANDBOX_PHONE_NUMBER_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_WABA_ID,
  sandboxSecret,
} from '../../src/coxcox.ts';
import { FakeGraphClient } from '../../src/whatsapp/graph/fake-graph-client.ts';
import { startTestCoxcox, TEST_ADMIN_TOKEN } from '../support/coxcox-harness.ts';
import type { TestDatabase } from '../support/databases.ts';
import { metaJson, signature, textMessageNotification, wamid } from '../support/meta-body.ts';

export const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * A whole Coxcox with the fake Graph client and a model double, driven step by step: webhooks are signed
 * and posted, then the inbox, the job worker and the dispatcher are run on demand.
 */
export async function startAgentCoxcox(
  database: TestDatabase,
  model: AgentModel | null,
  options: {
    env?: Record<string, string>;
    modelFor?: ModelFactory;
    logger?: Logger;
    agentRunner?: CreateCoxcoxOptions['agentRunner'];
  } = {},
) {
  const graph = new FakeGraphClient();
  const coxcox = await startTestCoxcox(
    database,
    { AGENT_DEBOUNCE_MS: '1', ...options.env },
    {
      graph,
      // No model double: Coxcox's own factory (the offline playbook without settings).
      ...(options.modelFor ? { modelFor: options.modelFor } : model ? { modelFor: () => model } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.agentRunner ? { agentRunner: options.agentRunner } : {}),
    },
  );
  await coxcox.store.db.updateTable('phone_numbers').set({ messaging_tier: 'TIER_UNLIMITED' }).execute();
  const appSecret = sandboxSecret(coxcox.config.secretKey, 'app secret');

  const deliver = async (notification: unknown) => {
    const body = metaJson(notification);
    const response = await coxcox.app.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body, appSecret) },
    });
    expect(response.statusCode).toBe(200);
  };

  /** The customer writes; the inbox records it (and the agent's hook enqueues a turn). Returns the wamid. */
  const customerWrites = async (from: string, text: string, options: { id?: string; name?: string } = {}) => {
    const id = options.id ?? wamid();
    await deliver(
      textMessageNotification({
        wabaId: SANDBOX_WABA_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        from,
        text,
        id,
        ...(options.name ? { name: options.name } : {}),
      }),
    );
    await coxcox.processor.drain();
    return id;
  };

  /** Runs every agent turn now, whatever is left of its debounce. */
  const runTurns = async () => {
    await coxcox.store.db.updateTable('jobs').set({ run_at: 0 }).where('state', '=', 'pending').execute();
    return coxcox.jobWorker.drain();
  };

  /** What the customer received (text bodies), in order. */
  const textsTo = (waId: string) =>
    graph.sent
      .filter((sent) => sent.message.to.replace(/\D/g, '') === waId)
      .map((sent) => (sent.message.type === 'text' ? sent.message.text.body : `[${sent.message.type}]`));

  /**
   * Lets every paced bubble go, one at a time in the order they would go, so that what the customer
   * received reads in order (the dispatcher sends a batch's messages concurrently).
   */
  const sendAll = async () => {
    const db = coxcox.store.db;
    const queued = await db
      .selectFrom('outbox')
      .select('id')
      .where('state', '=', 'queued')
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .execute();
    for (const row of queued) {
      await db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', row.id).execute();
      await db.deleteFrom('pair_pacers').execute();
      await coxcox.dispatcher.runOnce();
    }
  };

  const conversationOf = async (waId: string) =>
    coxcox.store.db
      .selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .selectAll('conversations')
      .where('contacts.wa_id', '=', waId)
      .executeTakeFirstOrThrow();

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = admin) =>
    coxcox.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  /** A draft campaign of a tenant, written straight to its table: agent tests need only its id. */
  const draftCampaign = async (id: string, tenantId = SANDBOX_TENANT_ID) => {
    const at = Date.now();
    await coxcox.store.db
      .insertInto('campaigns')
      .values({
        id,
        tenant_id: tenantId,
        name: id,
        state: 'draft',
        phone_number_id: SANDBOX_PHONE_NUMBER_ID,
        category: 'MARKETING',
        variants: '[]',
        follow_ups: '[]',
        audience: '{}',
        start_at: at,
        send_from_minute: 0,
        send_until_minute: 1440,
        time_zone: 'UTC',
        daily_cap: null,
        agent_profile_id: null,
        pause_reason: null,
        time_zones: '[]',
        targeted_count: 0,
        suppressed_count: 0,
        next_tick_at: null,
        tick_locked_until: null,
        launched_at: null,
        paused_at: null,
        completed_at: null,
        cancelled_at: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    return id;
  };

  return {
    coxcox,
    graph,
    deliver,
    customerWrites,
    runTurns,
    textsTo,
    sendAll,
    conversationOf,
    api,
    draftCampaign,
  };
}
