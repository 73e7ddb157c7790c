import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { recordOptOut } from '../contacts/index.ts';
import { emitTenantEvent } from '../tenant-webhooks/index.ts';
import type { Campaign } from './campaign-definition.ts';
import { CONTACT_STATE_RANKS, MESSAGE_STATE_RANKS } from './contact-states.ts';

const PAGE = 500;

type ContactsEb = ExpressionBuilder<Database, 'campaign_contacts'>;

/** `state` and `state_rank` moved up to `state`, never down. */
function advance(eb: ContactsEb, state: keyof typeof CONTACT_STATE_RANKS) {
  const rank = CONTACT_STATE_RANKS[state];
  return {
    state: eb.case().when('state_rank', '<', rank).then(state).else(eb.ref('state')).end(),
    state_rank: eb.case().when('state_rank', '<', rank).then(rank).else(eb.ref('state_rank')).end(),
  };
}

/**
 * Brings a campaign's states up to date with what happened elsewhere: the dispatcher's outcomes in the
 * outbox (sent, failed at send time, cancelled), follow-up times once a step was sent, and the agent's
 * outcomes on the campaign's conversations (qualified, converted). Status webhooks and replies are applied
 * as they arrive, by the campaign event hook; this catches everything that has no webhook. Every
 * statement is set-based and forward-only, so running it again changes nothing.
 */
export async function syncCampaign(db: Kysely<Database>, campaign: Campaign, now: number): Promise<void> {
  const { row } = campaign;
  // Every statement starts from this campaign's messages still in flight (at most the in-flight limit),
  // and looks each one's outbox row up by id: the cost does not grow with what was sent before.
  const outboxHas = (state: string | null) => (eb: ExpressionBuilder<Database, 'campaign_messages'>) => {
    let query = eb
      .selectFrom('outbox')
      .select('outbox.id')
      .whereRef('outbox.id', '=', 'campaign_messages.id');
    query =
      state === null
        ? query.where('outbox.sent_at', 'is not', null)
        : query.where('outbox.state', '=', state);
    return eb.exists(query);
  };
  const fromOutbox = <C extends 'wamid' | 'sent_at' | 'error_code' | 'error_title'>(
    eb: ExpressionBuilder<Database, 'campaign_messages'>,
    column: C,
  ) =>
    eb
      .selectFrom('outbox')
      .select(`outbox.${column}` as `outbox.${C}`)
      .whereRef('outbox.id', '=', 'campaign_messages.id');

  // Accepted by Meta: the dispatcher's sent_at stays on the outbox row even if a failed status follows
  // (a status hook may have failed the message first).
  const sent = await db
    .updateTable('campaign_messages')
    .set((eb) => ({
      wamid: eb.fn.coalesce('campaign_messages.wamid', fromOutbox(eb, 'wamid')),
      // The campaign's clock (see campaign-event-hook.ts): follow-up delays run from here.
      sent_at: eb.val(now),
      updated_at: now,
    }))
    .where('campaign_id', '=', row.id)
    .where('state', 'in', ['queued', 'failed'])
    .where('sent_at', 'is', null)
    .where(outboxHas(null))
    .returning(['contact_id'])
    .execute();
  await db
    .updateTable('campaign_messages')
    .set({ state: 'sent', state_rank: MESSAGE_STATE_RANKS.sent, updated_at: now })
    .where('campaign_id', '=', row.id)
    .where('state', '=', 'queued')
    .where(outboxHas('sent'))
    .execute();
  for (let index = 0; index < sent.length; index += PAGE) {
    await db
      .updateTable('campaign_contacts')
      .set((eb) => ({
        ...advance(eb, 'sent'),
        sent_at: eb.fn.coalesce(
          'campaign_contacts.sent_at',
          eb
            .selectFrom('campaign_messages')
            .select((inner) => inner.fn.min('campaign_messages.sent_at').as('first'))
            .whereRef('campaign_messages.contact_id', '=', 'campaign_contacts.contact_id')
            .whereRef('campaign_messages.campaign_id', '=', 'campaign_contacts.campaign_id'),
        ),
        updated_at: now,
      }))
      .where('campaign_id', '=', row.id)
      .where(
        'contact_id',
        'in',
        sent.slice(index, index + PAGE).map((message) => message.contact_id),
      )
      .execute();
  }

  const failed = await db
    .updateTable('campaign_messages')
    .set((eb) => ({
      state: 'failed',
      state_rank: MESSAGE_STATE_RANKS.failed,
      error_code: fromOutbox(eb, 'error_code'),
      error_title: fromOutbox(eb, 'error_title'),
      updated_at: now,
    }))
    .where('campaign_id', '=', row.id)
    // Failed at send time; a failed status webhook is applied by the event hook as it arrives.
    .where('state', '=', 'queued')
    .where(outboxHas('failed'))
    .returning(['contact_id', 'step', 'error_code', 'error_title'])
    .execute();
  for (const message of failed) {
    await applyMessageFailure(db, { id: row.id, tenantId: row.tenant_id }, message, now);
  }

  await db
    .updateTable('campaign_messages')
    .set({ state: 'cancelled', state_rank: MESSAGE_STATE_RANKS.cancelled, updated_at: now })
    .where('campaign_id', '=', row.id)
    .where('state', '=', 'queued')
    .where(outboxHas('cancelled'))
    .execute();

  // Follow-ups: the next step falls due its delay after the previous step's message was sent.
  for (const [index, followUp] of campaign.followUps.entries()) {
    const step = index + 1;
    const previousSentAt = (eb: ContactsEb) =>
      eb
        .selectFrom('campaign_messages')
        .select('campaign_messages.sent_at')
        .whereRef('campaign_messages.contact_id', '=', 'campaign_contacts.contact_id')
        .whereRef('campaign_messages.campaign_id', '=', 'campaign_contacts.campaign_id')
        .where('campaign_messages.step', '=', step - 1)
        .where('campaign_messages.sent_at', 'is not', null)
        .where('campaign_messages.state', 'in', ['sent', 'delivered', 'read'])
        .limit(1);
    await db
      .updateTable('campaign_contacts')
      .set((eb) => ({ due_at: eb(previousSentAt(eb), '+', followUp.afterMs), updated_at: now }))
      .where('campaign_id', '=', row.id)
      .where('due_at', 'is', null)
      .where('next_step', '=', step)
      .where('replied_at', 'is', null)
      .where((eb) => eb.exists(previousSentAt(eb)))
      .execute();
  }

  await syncOutcomes(db, campaign, now);
}

/** A message that failed: the contact fails if nothing better happened, its follow-ups stop, and 131050 opts it out of marketing. */
export async function applyMessageFailure(
  db: Parameters<typeof recordOptOut>[0],
  campaign: { id: string; tenantId: string },
  message: { contact_id: string; step: number; error_code: number | null; error_title: string | null },
  now: number,
): Promise<void> {
  const row = { id: campaign.id, tenant_id: campaign.tenantId };
  await db
    .updateTable('campaign_contacts')
    .set((eb) => ({
      ...advance(eb, 'failed'),
      failed_at: eb.fn.coalesce('failed_at', eb.val(now)),
      error_code: eb
        .case()
        .when('state_rank', '<', CONTACT_STATE_RANKS.failed)
        .then(message.error_code)
        .else(eb.ref('error_code'))
        .end(),
      error_title: eb
        .case()
        .when('state_rank', '<', CONTACT_STATE_RANKS.failed)
        .then(message.error_title)
        .else(eb.ref('error_title'))
        .end(),
      updated_at: now,
    }))
    .where('campaign_id', '=', row.id)
    .where('contact_id', '=', message.contact_id)
    .execute();
  // No follow-up after a message that never arrived.
  await db
    .updateTable('campaign_contacts')
    .set({ next_step: null, due_at: null, updated_at: now })
    .where('campaign_id', '=', row.id)
    .where('contact_id', '=', message.contact_id)
    .where('next_step', '=', message.step + 1)
    .execute();
  if (message.error_code === 131050) {
    // Meta: "the user stopped marketing messages from this business" (error 131050).
    await recordOptOut(
      db,
      {
        tenantId: row.tenant_id,
        contact: { contactId: message.contact_id },
        scope: 'marketing',
        source: 'error_131050',
        proof: `campaign ${row.id}: ${message.error_title ?? 'error 131050'}`,
      },
      now,
    );
  }
}

/** The agent's outcomes on the campaign's conversations: qualified and converted, once each. */
async function syncOutcomes(db: Kysely<Database>, campaign: Campaign, now: number): Promise<void> {
  const { row } = campaign;
  const leads = await db
    .selectFrom('campaign_contacts')
    .innerJoin('conversations', (join) =>
      join
        .onRef('conversations.tenant_id', '=', 'campaign_contacts.tenant_id')
        .on('conversations.phone_number_id', '=', row.phone_number_id)
        .onRef('conversations.contact_id', '=', 'campaign_contacts.contact_id'),
    )
    .select([
      'campaign_contacts.contact_id',
      'campaign_contacts.wa_id',
      'campaign_contacts.qualified_at',
      'campaign_contacts.converted_at',
      'conversations.id as conversation_id',
      'conversations.outcome',
      'conversations.lead_fields',
    ])
    .where('campaign_contacts.campaign_id', '=', row.id)
    .where('campaign_contacts.replied_at', 'is not', null)
    .where('conversations.campaign_id', '=', row.id)
    .where('conversations.outcome', 'in', ['qualified', 'converted'])
    .where((eb) =>
      eb.or([
        eb('campaign_contacts.qualified_at', 'is', null),
        eb.and([
          eb('conversations.outcome', '=', 'converted'),
          eb('campaign_contacts.converted_at', 'is', null),
        ]),
      ]),
    )
    .execute();
  for (const lead of leads) {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('campaign_contacts')
        .set((eb) => ({
          ...advance(eb, lead.outcome === 'converted' ? 'converted' : 'qualified'),
          qualified_at: eb.fn.coalesce('qualified_at', eb.val(now)),
          ...(lead.outcome === 'converted'
            ? { converted_at: eb.fn.coalesce('converted_at', eb.val(now)) }
            : {}),
          updated_at: now,
        }))
        .where('campaign_id', '=', row.id)
        .where('contact_id', '=', lead.contact_id)
        .execute();
      await emitTenantEvent(
        trx,
        {
          tenantId: row.tenant_id,
          event: 'lead.qualified',
          onceFor: lead.conversation_id,
          data: {
            conversationId: lead.conversation_id,
            contactId: lead.contact_id,
            waId: lead.wa_id,
            campaignId: row.id,
            outcome: lead.outcome,
            leadFields: JSON.parse(lead.lead_fields) as unknown,
          },
        },
        now,
      );
    });
  }
}
