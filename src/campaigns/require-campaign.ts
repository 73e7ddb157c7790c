import type { Kysely } from 'kysely';
import { notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';

/**
 * Throws not_found unless the campaign is this tenant's. Another tenant's campaign gets the same answer
 * as one that does not exist, so that an id reveals nothing; other domains that key rows to a campaign
 * (the agent's profiles) check it here first, so that a tenant cannot key its rows to another's campaign.
 */
export async function requireCampaign(
  db: Kysely<Database>,
  tenantId: string,
  campaignId: string,
): Promise<void> {
  const row = await db
    .selectFrom('campaigns')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!row) throw notFound(`campaign ${campaignId}`);
}
