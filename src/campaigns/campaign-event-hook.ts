import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.ts';
import type { AppliedEvent, EventHook, MessageStatus } from '../whatsapp/index.ts';
import './campaign-schema.ts';
import {
  type ConsentSettings,
  consentSettingsFor,
  matchOptOutKeyword,
  recordOptOut,
} from '../contacts/index.ts';
import {
  applyTemplateCategory,
  applyTemplateComponents,
  applyTemplateQuality,
  applyTemplateStatus,
} from '../templates/index.ts';
import { campaignTemplateIds, readCampaign } from './campaign-definition.ts';
import { CONTACT_STATE_RANKS, MESSAGE_STATE_RANKS } from './contact-states.ts';
import { pauseCampaign } from './pause-campaign.ts';
import { applyMessageFailure } from './sync-campaign.ts';
import { withdrawCampaignMessages } from './withdraw-campaign-messages.ts';

export interface CampaignEventHookOptions {
  now: () => number;
  logger: Logger;
  /** How long a tenant's consent settings are cached (they are read for every inbound text). */
  settingsTtlMs?: number;
}

/** Quality events after which a campaign on the number stops (Meta's phone_number_quality_update). */
const QUALITY_DROPS = new Set(['DOWNGRADE', 'FLAGGED']);

const STATUS_RANKS: Record<string, number> = {
  sent: MESSAGE_STATE_RANKS.sent,
  delivered: MESSAGE_STATE_RANKS.delivered,
  read: MESSAGE_STATE_RANKS.read,
  played: MESSAGE_STATE_RANKS.read,
  failed: MESSAGE_STATE_RANKS.failed,
};

/**
 * The campaigns domain's part of recording a webhook, inside the transaction that records it, so the
 * effect commits with the event or not at all: campaign message statuses (with the cost from their
 * pricing; a failure with 131050 is a marketing opt-out), replies (which stop follow-ups), template status
 * changes and quality drops (which pause campaigns). Opt-out keywords and Meta's user_preferences are the
 * agent's hook's to handle; both go through recordOptOut, which suppresses the contact in every campaign.
 */
export function createCampaignEventHook(options: CampaignEventHookOptions): EventHook {
  const ttlMs = options.settingsTtlMs ?? 30_000; // 30 s: a keyword change takes effect within this
  const cache = new Map<string, { settings: ConsentSettings; expiresAt: number }>();
  const settingsFor = async (trx: Transaction<Database>, tenantId: string) => {
    const now = Date.now();
    const cached = cache.get(tenantId);
    if (cached && cached.expiresAt > now) return cached.settings;
    const settings = await consentSettingsFor(trx, tenantId);
    if (cache.size > 10_000) cache.clear();
    cache.set(tenantId, { settings, expiresAt: now + ttlMs });
    return settings;
  };

  return async (trx, applied) => {
    const { event } = applied;
    if (!applied.isNew) return;
    const now = options.now();
    switch (event.kind) {
      case 'message-received': {
        const text = event.message.text;
        const language = text
          ? matchOptOutKeyword(text, (await settingsFor(trx, applied.tenantId)).optOutKeywords)
          : null;
        if (language !== null) {
          // A typed keyword is the agent's hook's to record. A tap on a template's quick-reply ("Parar
          // promoções", "Stop promotions") is a button message the agent does not read as a keyword: it is
          // recorded here. Either way recordOptOut records and confirms once, and a keyword is no reply.
          if (event.message.type === 'button' || event.message.type === 'interactive') {
            await recordOptOut(
              trx,
              {
                tenantId: applied.tenantId,
                contact: {
                  waId: event.contact.waId ?? event.message.from,
                  userId: event.contact.userId ?? event.message.fromUserId,
                },
                scope: 'all',
                source: 'keyword',
                proof: `${event.message.id}: ${text}`,
                occurredAt: event.message.timestamp ?? now,
                confirm: event.phoneNumberId ? { phoneNumberId: event.phoneNumberId, language } : null,
              },
              now,
            );
          }
          return;
        }
        await applyReply(trx, applied, now, now);
        return;
      }
      case 'message-status-changed':
        await applyStatus(trx, applied.tenantId, event.status, await settingsFor(trx, applied.tenantId), now);
        return;
      case 'template-status-updated': {
        const changed = await applyTemplateStatus(trx, applied.tenantId, event.wabaId, event.data, now);
        if (!changed || changed.status === 'APPROVED') return;
        const running = await trx
          .selectFrom('campaigns')
          .select(['id', 'variants', 'follow_ups'])
          .where('tenant_id', '=', applied.tenantId)
          .where('state', 'in', ['planning', 'running'])
          .execute();
        for (const campaign of running) {
          if (changed.ids.some((id) => campaign.variants.includes(id) || campaign.follow_ups.includes(id))) {
            await pauseCampaign(trx, campaign.id, `template_${changed.status.toLowerCase()}`, now);
            options.logger.warn(
              { campaignId: campaign.id, status: changed.status },
              'campaign paused: a template can no longer be sent',
            );
          }
        }
        return;
      }
      case 'template-quality-updated':
        await applyTemplateQuality(trx, applied.tenantId, event.wabaId, event.data, now);
        return;
      case 'template-components-updated':
        await applyTemplateComponents(trx, applied.tenantId, event.wabaId, event.data, now);
        return;
      case 'template-category-updated': {
        const changed = await applyTemplateCategory(trx, applied.tenantId, event.wabaId, event.data, now);
        if (changed.length > 0) await recategorizeCampaigns(trx, applied.tenantId, changed);
        return;
      }
      case 'phone-number-quality-updated': {
        const quality = (event.data.event ?? '').toUpperCase();
        if (!QUALITY_DROPS.has(quality)) return;
        const phoneNumberIds = await numbersOf(
          trx,
          applied.tenantId,
          event.wabaId,
          event.phoneNumberId,
          event.data.displayPhoneNumber,
        );
        if (phoneNumberIds.length === 0) return;
        const running = await trx
          .selectFrom('campaigns')
          .select('id')
          .where('tenant_id', '=', applied.tenantId)
          .where('phone_number_id', 'in', phoneNumberIds)
          .where('state', 'in', ['planning', 'running'])
          .execute();
        for (const campaign of running) {
          await pauseCampaign(trx, campaign.id, `quality_${quality.toLowerCase()}`, now);
          options.logger.warn(
            { campaignId: campaign.id, quality },
            'campaign paused: the number’s quality dropped',
          );
        }
        return;
      }
      default:
        return;
    }
  };
}

/**
 * The number a quality event is about. Meta's phone_number_quality_update names it by its display number
 * only (no metadata.phone_number_id), so it is matched by digits among the WABA's numbers; a WABA with a
 * single number needs no match.
 */
async function numbersOf(
  trx: Transaction<Database>,
  tenantId: string,
  wabaId: string | null,
  phoneNumberId: string | null,
  displayPhoneNumber: string | null,
): Promise<string[]> {
  if (phoneNumberId) return [phoneNumberId];
  let query = trx
    .selectFrom('phone_numbers')
    .select(['phone_number_id', 'display_phone_number'])
    .where('tenant_id', '=', tenantId);
  if (wabaId) query = query.where('waba_id', '=', wabaId);
  const numbers = await query.execute();
  const digits = (displayPhoneNumber ?? '').replace(/\D/g, '');
  const matched = numbers.filter(
    (number) => digits !== '' && (number.display_phone_number ?? '').replace(/\D/g, '') === digits,
  );
  if (matched.length > 0) return matched.map((number) => number.phone_number_id);
  return numbers.length === 1 ? [numbers[0]!.phone_number_id] : [];
}

/** A status of a campaign message (the outbox id comes back in biz_opaque_callback_data). */
async function applyStatus(
  trx: Transaction<Database>,
  tenantId: string,
  status: MessageStatus,
  settings: ConsentSettings,
  now: number,
): Promise<void> {
  const outboxId = status.bizOpaqueCallbackData;
  const rank = STATUS_RANKS[status.status];
  if (!outboxId?.startsWith('out_') || rank === undefined) return;
  const message = await trx
    .selectFrom('campaign_messages')
    .select(['id', 'campaign_id', 'contact_id', 'step', 'cost_usd'])
    .where('id', '=', outboxId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!message) return;
  // Milestones are times on the campaign's clock (when Coxcox learned of them), like release and due
  // times: a follow-up's delay is measured on one clock, whatever Meta's timestamps say.
  const at = now;
  const isSuccess = status.status !== 'failed';
  const error = status.errors[0];
  const state = status.status === 'played' ? 'read' : status.status;
  await trx
    .updateTable('campaign_messages')
    .set({
      state,
      state_rank: rank,
      wamid: status.id,
      ...(isSuccess
        ? {}
        : { error_code: error?.code ?? null, error_title: error?.title ?? error?.message ?? 'failed' }),
      updated_at: now,
    })
    .where('id', '=', message.id)
    .where('state_rank', '<', rank)
    .execute();
  if (isSuccess) {
    await trx
      .updateTable('campaign_messages')
      .set((eb) => ({ sent_at: eb.fn.coalesce('sent_at', eb.val(at)) }))
      .where('id', '=', message.id)
      .execute();
  }
  // Cost: once per message, from the first billable status's pricing category.
  if (
    status.pricing &&
    status.pricing.billable !== false &&
    message.cost_usd === null &&
    status.pricing.category
  ) {
    const category = status.pricing.category.toLowerCase();
    await trx
      .updateTable('campaign_messages')
      .set({ cost_usd: settings.pricesUsd[category] ?? 0, pricing_category: category })
      .where('id', '=', message.id)
      .where('cost_usd', 'is', null)
      .execute();
  }
  if (!isSuccess) {
    await applyMessageFailure(
      trx,
      { id: message.campaign_id, tenantId },
      {
        contact_id: message.contact_id,
        step: message.step,
        error_code: error?.code ?? null,
        error_title: error?.title ?? error?.message ?? 'failed',
      },
      now,
    );
    return;
  }
  const contactState = state === 'read' ? 'read' : state === 'delivered' ? 'delivered' : 'sent';
  const contactRank = CONTACT_STATE_RANKS[contactState];
  await trx
    .updateTable('campaign_contacts')
    .set((eb) => ({
      state: eb.case().when('state_rank', '<', contactRank).then(contactState).else(eb.ref('state')).end(),
      state_rank: eb
        .case()
        .when('state_rank', '<', contactRank)
        .then(contactRank)
        .else(eb.ref('state_rank'))
        .end(),
      sent_at: eb.fn.coalesce('sent_at', eb.val(at)),
      ...(contactState !== 'sent' ? { delivered_at: eb.fn.coalesce('delivered_at', eb.val(at)) } : {}),
      ...(contactState === 'read' ? { read_at: eb.fn.coalesce('read_at', eb.val(at)) } : {}),
      updated_at: now,
    }))
    .where('campaign_id', '=', message.campaign_id)
    .where('contact_id', '=', message.contact_id)
    .execute();
}

/** A customer message in a campaign's conversation: the contact replied, and its follow-ups stop. */
async function applyReply(
  trx: Transaction<Database>,
  applied: AppliedEvent,
  at: number,
  now: number,
): Promise<void> {
  if (!applied.conversationId) return;
  const conversation = await trx
    .selectFrom('conversations')
    .select(['campaign_id', 'contact_id'])
    .where('id', '=', applied.conversationId)
    .executeTakeFirst();
  if (!conversation?.campaign_id) return;
  const replied = await trx
    .updateTable('campaign_contacts')
    .set((eb) => ({
      state: eb
        .case()
        .when('state_rank', '<', CONTACT_STATE_RANKS.replied)
        .then('replied')
        .else(eb.ref('state'))
        .end(),
      state_rank: eb
        .case()
        .when('state_rank', '<', CONTACT_STATE_RANKS.replied)
        .then(CONTACT_STATE_RANKS.replied)
        .else(eb.ref('state_rank'))
        .end(),
      replied_at: at,
      next_step: null,
      due_at: null,
      updated_at: now,
    }))
    .where('campaign_id', '=', conversation.campaign_id)
    .where('contact_id', '=', conversation.contact_id)
    .where('replied_at', 'is', null)
    .executeTakeFirst();
  if (Number(replied.numUpdatedRows) === 0) return;
  // "Stop when they reply": a follow-up already waiting in the outbox is taken back.
  await withdrawCampaignMessages(
    trx,
    {
      tenantId: applied.tenantId,
      campaignId: conversation.campaign_id,
      contactIds: [conversation.contact_id],
      isFollowUpOnly: true,
      reason: 'replied',
    },
    now,
  );
}

/**
 * A campaign's category follows its templates (MARKETING when any is): after Meta recategorizes a template,
 * the campaigns not yet finished that use it are priced, and suppressed by marketing opt-outs, as the new one.
 */
async function recategorizeCampaigns(
  trx: Transaction<Database>,
  tenantId: string,
  templateIds: string[],
): Promise<void> {
  const campaigns = await trx
    .selectFrom('campaigns')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('state', 'not in', ['completed', 'cancelled'])
    .execute();
  for (const row of campaigns) {
    const used = campaignTemplateIds(readCampaign(row));
    if (!used.some((id) => templateIds.includes(id))) continue;
    const categories = (
      await trx.selectFrom('message_templates').select('category').where('id', 'in', used).execute()
    ).map((template) => template.category);
    const category = categories.includes('MARKETING') ? 'MARKETING' : (categories[0] ?? row.category);
    if (category !== row.category)
      await trx.updateTable('campaigns').set({ category }).where('id', '=', row.id).execute();
  }
}
