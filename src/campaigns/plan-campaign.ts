import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { fillContactZones } from '../contacts/index.ts';
import { audienceCondition } from './audience-condition.ts';
import type { Campaign, CampaignVariant } from './campaign-definition.ts';
import { CONTACT_STATE_RANKS } from './contact-states.ts';

const HEX = '0123456789abcdef';
const BUCKETS = 256;

/**
 * A contact's A/B bucket, 0–255: its id's last two hexadecimal digits. Contact ids are random UUIDs (v4,
 * or v7 with a random tail), so those digits are already a uniform hash of the contact, the same on every
 * instance and after a restart, and independent of the order contacts were imported in. SQL computes the
 * same bucket (`variantExpression`), so planning assigns variants inside its one INSERT … SELECT.
 */
export function variantBucket(contactId: string): number {
  const digit = (char: string | undefined) => Math.max(0, HEX.indexOf((char ?? '').toLowerCase()));
  return digit(contactId.at(-2)) * 16 + digit(contactId.at(-1));
}

/** Each variant's share of the 256 buckets, by weight: [name, first bucket of the next variant]. */
function bucketBounds(variants: Array<Pick<CampaignVariant, 'name' | 'weight'>>): Array<[string, number]> {
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  let cumulative = 0;
  return variants.map((variant) => {
    cumulative += variant.weight;
    return [variant.name, Math.round((cumulative / total) * BUCKETS)];
  });
}

/** The variant a contact gets (see variantBucket). */
export function variantFor(
  contactId: string,
  variants: Array<Pick<CampaignVariant, 'name' | 'weight'>>,
): string {
  const bucket = variantBucket(contactId);
  return (
    bucketBounds(variants).find(([, bound]) => bucket < bound)?.[0] ?? variants[variants.length - 1]!.name
  );
}

/** `variantFor` in SQL, for both databases: substr, length and CASE are all they share here. */
function variantExpression(variants: Array<Pick<CampaignVariant, 'name' | 'weight'>>) {
  const digit = (position: RawBuilder<unknown>) =>
    sql`(case lower(substr(contacts.id, ${position}, 1)) ${sql.join(
      [...HEX].map((char, value) => sql`when ${sql.lit(char)} then ${sql.lit(value)}`),
      sql` `,
    )} else 0 end)`;
  const bucket = sql`(${digit(sql`length(contacts.id) - 1`)} * 16 + ${digit(sql`length(contacts.id)`)})`;
  const bounds = bucketBounds(variants);
  if (bounds.length === 1) return sql<string>`${bounds[0]![0]}`;
  return sql<string>`(case ${sql.join(
    bounds.slice(0, -1).map(([name, bound]) => sql`when ${bucket} < ${sql.lit(bound)} then ${name}`),
    sql` `,
  )} else ${bounds[bounds.length - 1]![0]} end)`;
}

/**
 * Plans a campaign: one INSERT … SELECT puts every contact of the audience (minus opt-outs and
 * do-not-contact) into `campaign_contacts`, with its A/B variant, due at the start time, in its own
 * time zone (or the campaign's). Nothing passes through this process, so memory stays bounded whatever
 * the audience size. Returns how many were targeted and how many suppressed.
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
  await fillContactZones(db, row.tenant_id, now);
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
          variantExpression(campaign.variants).as('variant'),
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
