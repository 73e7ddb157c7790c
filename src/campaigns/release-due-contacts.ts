import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { enqueueMessage } from '../dispatch/index.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { buildComponents, type ParameterMapping, type TemplateShape } from '../templates/index.ts';
import type { Campaign } from './campaign-definition.ts';
import { CONTACT_STATE_RANKS, MESSAGE_STATE_RANKS } from './contact-states.ts';
import { nextSendingTime, startOfLocalDay } from './sending-hours.ts';

export interface ReleaseLimits {
  /** Contacts released per transaction. */
  batchSize: number;
  /** Most a campaign keeps waiting in the outbox, so a pause takes back little and the outbox stays small. */
  maxInFlight: number;
}

export interface LoadedTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  shape: TemplateShape;
}

export interface ReleaseOutcome {
  released: number;
  /** When something may be released next (a zone's sending hours open, a follow-up falls due, the cap's next day). */
  nextAt: number | null;
  /** Campaign messages waiting in the outbox. */
  inFlight: number;
}

interface DueContact {
  contact_id: string;
  wa_id: string;
  variant: string;
  next_step: number | null;
}

/**
 * Moves due contacts into the outbox through `enqueueMessage`, so the dispatcher's throughput, pair pace
 * and daily tier apply. A contact is due when its step's time has come and it is inside sending hours in
 * its own time zone; the daily cap (counted in the campaign's time zone) and the in-flight limit bound
 * each run. Each batch commits its outbox rows, campaign messages and contact updates together, so a
 * crash cannot leave a message queued whose contact is still due (no idempotency key is needed, and its
 * lookup would cost a query per message); ticks of one campaign never overlap (the scheduler's lock).
 */
export async function releaseDueContacts(
  db: Kysely<Database>,
  campaign: Campaign,
  templates: Map<string, LoadedTemplate>,
  limits: ReleaseLimits,
  now: number,
): Promise<ReleaseOutcome> {
  const { row } = campaign;
  const inFlight = Number(
    (
      await db
        .selectFrom('campaign_messages')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('campaign_id', '=', row.id)
        .where('state', '=', 'queued')
        .executeTakeFirstOrThrow()
    ).count,
  );
  let budget = limits.maxInFlight - inFlight;
  let capNextAt: number | null = null;
  if (row.daily_cap !== null) {
    const dayStart = startOfLocalDay(now, row.time_zone);
    const today = Number(
      (
        await db
          .selectFrom('campaign_messages')
          .select((eb) => eb.fn.countAll().as('count'))
          .where('campaign_id', '=', row.id)
          .where('released_at', '>=', dayStart)
          .where('state', '!=', 'cancelled')
          .executeTakeFirstOrThrow()
      ).count,
    );
    const left = row.daily_cap - today;
    if (left <= 0) {
      // Tomorrow, in the campaign's time zone (26 h covers a daylight-saving day; the start of day is recomputed).
      capNextAt = startOfLocalDay(dayStart + 26 * 60 * 60_000, row.time_zone);
    }
    budget = Math.min(budget, left);
  }

  let released = 0;
  let nextAt: number | null = capNextAt;
  const later = (at: number) => {
    nextAt = nextAt === null ? at : Math.min(nextAt, at);
  };
  // Nothing goes before this: now, or the cap's next day once today's cap is used up.
  const floor = capNextAt ?? now;
  for (const zone of campaign.timeZones) {
    const opensAt = nextSendingTime(now, zone, row.send_from_minute, row.send_until_minute);
    if (opensAt > now || budget <= 0) {
      const due = await earliestDue(db, row.id, zone);
      if (due !== null)
        later(nextSendingTime(Math.max(due, floor), zone, row.send_from_minute, row.send_until_minute));
      continue;
    }
    while (budget > 0) {
      const due = await db
        .selectFrom('campaign_contacts')
        .select(['contact_id', 'wa_id', 'variant', 'next_step'])
        .where('campaign_id', '=', row.id)
        .where('time_zone', '=', zone)
        .where('due_at', '<=', now)
        .where('next_step', 'is not', null)
        .orderBy('due_at')
        .limit(Math.min(budget, limits.batchSize))
        .execute();
      if (due.length === 0) break;
      const count = await db.transaction().execute((trx) => releaseBatch(trx, campaign, templates, due, now));
      released += count;
      budget -= count;
      if (due.length < limits.batchSize) break;
    }
    const due = await earliestDue(db, row.id, zone);
    if (due !== null)
      later(nextSendingTime(Math.max(due, now), zone, row.send_from_minute, row.send_until_minute));
  }
  return { released, nextAt, inFlight: inFlight + released };
}

async function earliestDue(db: Kysely<Database>, campaignId: string, zone: string): Promise<number | null> {
  const row = await db
    .selectFrom('campaign_contacts')
    .select((eb) => eb.fn.min('due_at').as('due'))
    .where('campaign_id', '=', campaignId)
    .where('time_zone', '=', zone)
    .where('next_step', 'is not', null)
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}

/** The template and parameters of a contact's step: the variant's for step 0, the follow-up's after. */
function stepOf(
  campaign: Campaign,
  variant: string,
  step: number,
): { templateId: string; parameters: ParameterMapping } {
  if (step === 0) {
    const chosen = campaign.variants.find((candidate) => candidate.name === variant) ?? campaign.variants[0]!;
    return { templateId: chosen.templateId, parameters: chosen.parameters };
  }
  const followUp = campaign.followUps[step - 1]!;
  return { templateId: followUp.templateId, parameters: followUp.parameters };
}

async function releaseBatch(
  trx: Transaction<Database>,
  campaign: Campaign,
  templates: Map<string, LoadedTemplate>,
  due: DueContact[],
  now: number,
): Promise<number> {
  const { row } = campaign;
  const contactIds = due.map((item) => item.contact_id);
  const contacts = new Map(
    (
      await trx
        .selectFrom('contacts')
        .leftJoin('do_not_contact', (join) =>
          join
            .onRef('do_not_contact.tenant_id', '=', 'contacts.tenant_id')
            .onRef('do_not_contact.wa_id', '=', 'contacts.wa_id'),
        )
        .select([
          'contacts.id',
          'contacts.name',
          'contacts.fields',
          'contacts.opted_out_at',
          'contacts.marketing_opted_out_at',
          'do_not_contact.wa_id as do_not_contact',
        ])
        .where('contacts.id', 'in', contactIds)
        .execute()
    ).map((contact) => [contact.id, contact]),
  );

  // Checked again at release: an opt-out or a do-not-contact entry may have come after planning.
  const optedOut: string[] = [];
  const suppressed: string[] = [];
  const missing: Array<{ contactId: string; reason: string }> = [];
  const ready: Array<{
    item: DueContact;
    step: number;
    template: LoadedTemplate;
    components: ReturnType<typeof buildComponents>;
  }> = [];
  for (const item of due) {
    const contact = contacts.get(item.contact_id);
    const step = item.next_step ?? 0;
    const { templateId, parameters } = stepOf(campaign, item.variant, step);
    const template = templates.get(templateId)!;
    if (!contact || contact.do_not_contact !== null) {
      suppressed.push(item.contact_id);
      continue;
    }
    if (
      contact.opted_out_at !== null ||
      (template.category === 'MARKETING' && contact.marketing_opted_out_at !== null)
    ) {
      optedOut.push(item.contact_id);
      continue;
    }
    const components = buildComponents(template.shape, parameters, {
      waId: item.wa_id,
      name: contact.name,
      fields: JSON.parse(contact.fields) as Record<string, string>,
    });
    if ('missing' in components) {
      missing.push({ contactId: item.contact_id, reason: components.missing });
      continue;
    }
    ready.push({ item, step, template, components });
  }
  const end = { next_step: null, due_at: null, updated_at: now };
  if (optedOut.length > 0) {
    await trx
      .updateTable('campaign_contacts')
      .set({ ...end, state: 'opted_out', state_rank: CONTACT_STATE_RANKS.opted_out, opted_out_at: now })
      .where('campaign_id', '=', row.id)
      .where('contact_id', 'in', optedOut)
      .execute();
  }
  if (suppressed.length > 0) {
    await trx
      .updateTable('campaign_contacts')
      .set({ ...end, state: 'suppressed', state_rank: CONTACT_STATE_RANKS.suppressed })
      .where('campaign_id', '=', row.id)
      .where('contact_id', 'in', suppressed)
      .execute();
  }
  for (const { contactId, reason } of missing) {
    await trx
      .updateTable('campaign_contacts')
      .set((eb) => ({
        ...end,
        state: eb
          .case()
          .when('state_rank', '<', CONTACT_STATE_RANKS.failed)
          .then('failed')
          .else(eb.ref('state'))
          .end(),
        state_rank: eb
          .case()
          .when('state_rank', '<', CONTACT_STATE_RANKS.failed)
          .then(CONTACT_STATE_RANKS.failed)
          .else(eb.ref('state_rank'))
          .end(),
        failed_at: now,
        error_code: null,
        error_title: `not sent: ${reason}`.slice(0, 500),
      }))
      .where('campaign_id', '=', row.id)
      .where('contact_id', '=', contactId)
      .execute();
  }
  if (ready.length === 0) return 0;

  // The campaign's conversations: the agent answers replies with the campaign's profile.
  await trx
    .insertInto('conversations')
    .values(
      ready.map(({ item }) => ({
        id: randomUUID(),
        tenant_id: row.tenant_id,
        phone_number_id: row.phone_number_id,
        contact_id: item.contact_id,
        last_inbound_at: null,
        last_message_at: null,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'phone_number_id', 'contact_id']).doNothing())
    .execute();
  const conversations = new Map(
    (
      await trx
        .selectFrom('conversations')
        .select(['id', 'contact_id'])
        .where('tenant_id', '=', row.tenant_id)
        .where('phone_number_id', '=', row.phone_number_id)
        .where(
          'contact_id',
          'in',
          ready.map(({ item }) => item.contact_id),
        )
        .execute()
    ).map((conversation) => [conversation.contact_id, conversation.id]),
  );
  await trx
    .updateTable('conversations')
    .set({ campaign_id: row.id, agent_profile_id: row.agent_profile_id })
    .where('id', 'in', [...conversations.values()])
    .execute();

  const messages: Database['campaign_messages'][] = [];
  for (const { item, step, template, components } of ready) {
    if (!('components' in components)) continue;
    const queued = await enqueueMessage(
      trx,
      {
        tenantId: row.tenant_id,
        phoneNumberId: row.phone_number_id,
        message: {
          to: `+${item.wa_id}`,
          type: 'template',
          template: {
            name: template.name,
            languageCode: template.language,
            ...(components.components.length > 0 ? { components: components.components } : {}),
          },
        },
        source: 'campaign',
        campaignId: row.id,
        category: template.category,
        conversationId: conversations.get(item.contact_id) ?? null,
      },
      now,
    );
    messages.push({
      id: queued.id,
      campaign_id: row.id,
      tenant_id: row.tenant_id,
      contact_id: item.contact_id,
      step,
      variant: item.variant,
      template_id: template.id,
      category: template.category,
      state: 'queued',
      state_rank: MESSAGE_STATE_RANKS.queued,
      wamid: null,
      error_code: null,
      error_title: null,
      released_at: now,
      sent_at: null,
      cost_usd: null,
      pricing_category: null,
      updated_at: now,
    });
  }
  await trx
    .insertInto('campaign_messages')
    .values(messages)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const byNextStep = new Map<number | null, string[]>();
  for (const { item, step } of ready) {
    const next = step < campaign.followUps.length ? step + 1 : null;
    byNextStep.set(next, [...(byNextStep.get(next) ?? []), item.contact_id]);
  }
  for (const [next, ids] of byNextStep) {
    // In flight: the follow-up's time is set once this message is sent (sync-campaign.ts).
    await trx
      .updateTable('campaign_contacts')
      .set({ next_step: next, due_at: null, updated_at: now })
      .where('campaign_id', '=', row.id)
      .where('contact_id', 'in', ids)
      .execute();
  }
  return ready.length;
}
