/**
 * Campaigns: audiences, A/B variants, schedules with sending hours and follow-ups, and the funnel. Contacts
 * and consent, templates and tenant webhooks are modules of their own (`contacts/`, `templates/`,
 * `tenant-webhooks/`).
 */
export { campaignFunnel, type Funnel, type FunnelRow, funnelCsv } from './campaign-funnel.ts';
export { campaignMigrations } from './campaign-migrations.ts';
export type { CampaignInput, Campaigns, CampaignView } from './campaigns.ts';
export {
  type CampaignsConfig,
  type CampaignsDomain,
  type CreateCampaignsOptions,
  createCampaigns,
  DEFAULT_CAMPAIGNS_CONFIG,
} from './create-campaigns.ts';
export { requireCampaign } from './require-campaign.ts';
