import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { audienceCondition } from './audience-condition.ts';
import type { Campaign, CampaignVariant } from './campaign-definition.ts';
import { CONTACT_STATE_RANKS } from './contact-states.ts';

/**
 * The variant a contact gets: a hash of the contact id, so the split is the same every time it is
 * computed (on any instance, after a restart) and independent of the order contacts were imported in.
 */
export function variantFor(
  contactId: string,
  variants: Array<Pick<CampaignVariant, 'name' | 'weight'>>,
): string {
  if (variants.length === 1) return variants[0]!.name;
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = (createHash('sha256').update(contactId).digest().readUInt32BE(0) / 2 ** 32) * total;
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.weight;
    if (point < cumulative) return variant.name;
  }
  return variants[variants.length - 1]!.name;
}

const PAGE = 2000; // contacts a variant-assignment page reads and updates

/**
 * Plans a campaign: one INSERT … SELECT puts every contact of the audience (minus opt-outs and
 * do-not-contact) into `campaign_contacts`, due at the start time, in their own time zone (or the
 * campaign's). With A/B variants, a second pass assigns variants in keyset pages of 2,000, so memory
 * stays bounded whatever the audience size. Returns how many were targeted and how many suppressed.
 */
export async function planCampaign(
  db: Kysely<Database>,
  flags: DialectFlags,
  campaign: Campaign,
  now: number,
): Promise<{ targeted: number; suppressed: number; timeZones: string[] }> {
  const { row } = campaign;
  const isMarketing = row.category === 'MARKETING';
  // No transaction around it all: on SQLite that would hold the one writer for the whole plan. A plan cut
  // short by a crash is simply made again (the campaign stays `planning`), starting with this delete.
  await db.deleteFrom('campaign_contacts').where('campaign_id', '=', row.id).execute();
  await db
    .insertInto('campaign_contacts')
    .columns([
      'campaign_id',
      'contact_id',
      'tenant_id',
      'wa_id',
      'variant',
      'time_zone',
      'state',
      'state_rank',
      'next_step',
      'due_at',
      'updated_at',
    ])
    .expression(
      db
        .selectFrom('contacts')
        .select((eb) => [
          eb.val(row.id).as('campaign_id'),
          'contacts.id',
          'contacts.tenant_id',
          'contacts.wa_id',
          eb.val(campaign.variants[0]!.name).as('variant'),
          eb.fn.coalesce('contacts.time_zone', eb.val(row.time_zone)).as('time_zone'),
          eb.val('queued').as('state'),
          eb.val(CONTACT_STATE_RANKS.queued).as('state_rank'),
          eb.val(0).as('next_step'),
          eb.val(row.start_at).as('due_at'),
          eb.val(now).as('updated_at'),
        ])
        .where((eb) =>
          audienceCondition(eb, flags, campaign.audience, {
            tenantId: row.tenant_id,
            suppression: { isMarketing },
          }),
        ),
    )
    .execute();

  if (campaign.variants.length > 1) {
    let after = '';
    for (;;) {
      const page = await db
        .selectFrom('campaign_contacts')
        .select('contact_id')
        .where('campaign_id', '=', row.id)
        .where('contact_id', '>', after)
        .orderBy('contact_id')
        .limit(PAGE)
        .execute();
      if (page.length === 0) break;
      after = page[page.length - 1]!.contact_id;
      const byVariant = new Map<string, string[]>();
      for (const { contact_id } of page) {
        const name = variantFor(contact_id, campaign.variants);
        if (name === campaign.variants[0]!.name) continue;
        byVariant.set(name, [...(byVariant.get(name) ?? []), contact_id]);
      }
      for (const [variant, contactIds] of byVariant) {
        await db
          .updateTable('campaign_contacts')
          .set({ variant })
          .where('campaign_id', '=', row.id)
          .where('contact_id', 'in', contactIds)
          .execute();
      }
      if (page.length < PAGE) break;
    }
  }

  const targeted = Number(
    (
      await db
        .selectFrom('campaign_contacts')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('campaign_id', '=', row.id)
        .executeTakeFirstOrThrow()
    ).count,
  );
  const matched = Number(
    (
      await db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll().as('count'))
        .where((eb) =>
          audienceCondition(eb, flags, campaign.audience, { tenantId: row.tenant_id, suppression: null }),
        )
        .executeTakeFirstOrThrow()
    ).count,
  );
  const timeZones = (
    await db
      .selectFrom('campaign_contacts')
      .select('time_zone')
      .distinct()
      .where('campaign_id', '=', row.id)
      .execute()
  ).map((zone) => zone.time_zone);
  await db
    .updateTable('campaigns')
    .set({
      targeted_count: targeted,
      suppressed_count: matched - targeted,
      time_zones: JSON.stringify(timeZones),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();
  return { targeted, suppressed: matched - targeted, timeZones };
}
