import type { Kysely, Transaction } from 'kysely';
import { upsertContact } from '../conversations/index.ts';
import { enqueueMessage } from '../dispatch/index.ts';
import { AppError } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { CONTACT_STATE_RANKS } from '../campaigns/contact-states.ts';
import { withdrawCampaignMessages } from '../campaigns/withdraw-campaign-messages.ts';
import { emitTenantEvent } from '../tenant-webhooks/emit-tenant-event.ts';
import { consentSettingsFor } from './consent-settings.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Where an opt-out came from; the consent ledger keeps it as `source`. */
export type OptOutSource =
  | 'keyword'
  | 'agent'
  | 'user_preferences'
  | 'error_131050'
  | 'api'
  | 'import'
  | (string & {});

/** One of the keys is enough; a contact that does not exist yet is created, so the opt-out is remembered. */
export interface ContactRef {
  contactId?: string | null;
  /** E.164 digits, as Meta's wa_id. */
  waId?: string | null;
  /** A business-scoped user id (BSUID). */
  userId?: string | null;
}

export interface OptOutInput {
  tenantId: string;
  contact: ContactRef;
  /** `all`: a stop request in the chat, or by the tenant. `marketing`: Meta's stop (user_preferences, 131050). */
  scope: 'all' | 'marketing';
  source: OptOutSource;
  /** What shows it: the message id and text, the webhook, the error. */
  proof?: string | null;
  /** Epoch ms of the customer's act; now by default. */
  occurredAt?: number;
  /**
   * Tell the customer, once, that they will get no more messages: from this business number, in this
   * language. Only when the opt-out is new, and only inside the 24-hour window (a free-form message).
   */
  confirm?: { phoneNumberId: string; language: string | null } | null;
}

export interface OptOutResult {
  contactId: string | null;
  /** False when the contact had already opted out at this scope: nothing was recorded or sent again. */
  isNew: boolean;
  /** Campaign messages taken back out of the outbox. */
  withdrawnCount: number;
  /** Other sends to the contact taken back out of the outbox (a stop of everything only). */
  cancelledCount: number;
  /** The outbox id of the confirmation, when one was queued. */
  confirmationId: string | null;
}

/** Finds the contact by id, wa_id or BSUID, creating it from a wa_id or BSUID when unknown. */
export async function resolveContactId(
  db: Db,
  tenantId: string,
  ref: ContactRef,
  now: number,
): Promise<string | null> {
  if (ref.contactId) {
    const row = await db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', ref.contactId)
      .executeTakeFirst();
    return row?.id ?? null;
  }
  return upsertContact(db, tenantId, { waId: ref.waId ?? null, userId: ref.userId ?? null }, now);
}

/**
 * The one place an opt-out is recorded, whatever its source (a keyword, the agent's tool, Meta's
 * user_preferences webhook, error 131050, the API). In the caller's transaction it:
 * marks the contact (`opted_out_at` or `marketing_opted_out_at`), writes the consent ledger, takes the
 * contact's queued campaign messages back out of the outbox in every campaign of the tenant, ends the
 * contact's part in those campaigns, tells the tenant's systems (`contact.opted_out`), and queues the
 * confirmation to the customer. A repeated opt-out changes nothing and is not confirmed twice.
 */
export async function recordOptOut(
  db: Db,
  input: OptOutInput,
  now: number = Date.now(),
): Promise<OptOutResult> {
  const contactId = await resolveContactId(db, input.tenantId, input.contact, now);
  if (!contactId)
    return { contactId: null, isNew: false, withdrawnCount: 0, cancelledCount: 0, confirmationId: null };
  const occurredAt = input.occurredAt ?? now;
  const column = input.scope === 'all' ? 'opted_out_at' : 'marketing_opted_out_at';
  const marked = await db
    .updateTable('contacts')
    .set({ [column]: occurredAt, updated_at: now })
    .where('id', '=', contactId)
    .where(column, 'is', null)
    .executeTakeFirst();
  const isNew = Number(marked.numUpdatedRows) > 0;
  if (!isNew) return { contactId, isNew: false, withdrawnCount: 0, cancelledCount: 0, confirmationId: null };

  await db
    .insertInto('consent_events')
    .values({
      tenant_id: input.tenantId,
      contact_id: contactId,
      kind: 'opt_out',
      scope: input.scope,
      source: input.source,
      proof: input.proof?.slice(0, 2000) ?? null,
      occurred_at: occurredAt,
      created_at: now,
    })
    .execute();

  // Suppressed at once, in every campaign of the tenant (only marketing ones for a marketing-only stop).
  const withdrawn = await withdrawCampaignMessages(
    db,
    {
      tenantId: input.tenantId,
      contactIds: [contactId],
      ...(input.scope === 'marketing' ? { category: 'MARKETING' } : {}),
      reason: 'opted_out',
    },
    now,
  );
  // A stop of everything also takes back every other send queued before it and not yet handed to Meta
  // (an agent's reply, a human's, the API's): the customer said stop before it went. What is queued from
  // now on (the confirmation below, the agent's reply in the turn that records its own opt-out) is not.
  const cancelled =
    input.scope === 'all'
      ? await db
          .updateTable('outbox')
          .set({ state: 'cancelled', hold_reason: 'opted_out', locked_by: null, updated_at: now })
          .where('conversation_id', 'in', (eb) =>
            eb
              .selectFrom('conversations')
              .select('id')
              .where('tenant_id', '=', input.tenantId)
              // Every column of the unique key (tenant, number, contact): probes, not a walk of the tenant's.
              .where('phone_number_id', 'in', (inner) =>
                inner
                  .selectFrom('phone_numbers')
                  .select('phone_number_id')
                  .where('tenant_id', '=', input.tenantId),
              )
              .where('contact_id', '=', contactId),
          )
          .where('state', 'in', ['queued', 'held'])
          .where('created_at', '<', now)
          .executeTakeFirst()
      : null;
  let campaigns = db
    .updateTable('campaign_contacts')
    .set({
      state: 'opted_out',
      state_rank: CONTACT_STATE_RANKS.opted_out,
      opted_out_at: occurredAt,
      next_step: null,
      due_at: null,
      updated_at: now,
    })
    .where('tenant_id', '=', input.tenantId)
    .where('contact_id', '=', contactId)
    .where('opted_out_at', 'is', null);
  if (input.scope === 'marketing') {
    campaigns = campaigns.where('campaign_id', 'in', (eb) =>
      eb
        .selectFrom('campaigns')
        .select('id')
        .where('tenant_id', '=', input.tenantId)
        .where('category', '=', 'MARKETING'),
    );
  }
  await campaigns.execute();

  const contact = await db
    .selectFrom('contacts')
    .select(['wa_id', 'name'])
    .where('id', '=', contactId)
    .executeTakeFirstOrThrow();
  await emitTenantEvent(
    db,
    {
      tenantId: input.tenantId,
      event: 'contact.opted_out',
      data: {
        contactId,
        waId: contact.wa_id,
        name: contact.name,
        scope: input.scope,
        source: input.source,
        occurredAt: new Date(occurredAt).toISOString(),
      },
    },
    now,
  );

  let confirmationId: string | null = null;
  if (input.confirm && contact.wa_id) {
    const settings = await consentSettingsFor(db, input.tenantId);
    const text =
      (input.confirm.language ? settings.confirmationTexts[input.confirm.language] : undefined) ??
      settings.confirmationTexts.en ??
      Object.values(settings.confirmationTexts)[0];
    if (text) {
      try {
        const queued = await enqueueMessage(
          db,
          {
            tenantId: input.tenantId,
            phoneNumberId: input.confirm.phoneNumberId,
            message: { to: contact.wa_id, type: 'text', text: { body: text } },
            // `system`, not `campaign`: the one message an opted-out customer still gets is this confirmation.
            source: 'system',
            idempotencyKey: `opt-out-confirmation:${contactId}:${column}`,
          },
          now,
        );
        confirmationId = queued.id;
      } catch (error) {
        // Outside the 24-hour window only a template may go: the opt-out stands, unconfirmed.
        if (!(error instanceof AppError && error.code === 'window_closed')) throw error;
      }
    }
  }
  return {
    contactId,
    isNew: true,
    withdrawnCount: withdrawn.length,
    cancelledCount: Number(cancelled?.numUpdatedRows ?? 0),
    confirmationId,
  };
}
