import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import type { ParameterMapping } from '../templates/index.ts';

/** An A/B variant: its template and parameters; contacts split between variants by weight. */
export interface CampaignVariant {
  name: string;
  templateId: string;
  parameters: ParameterMapping;
  weight: number;
}

/** "No reply `afterMs` after the previous message was sent: send this template." */
export interface CampaignFollowUp {
  afterMs: number;
  templateId: string;
  parameters: ParameterMapping;
}

export interface FieldFilter {
  /** A custom field key. */
  field: string;
  equals?: string;
  in?: string[];
  /** true: the field is set; false: it is not. */
  exists?: boolean;
}

/** Who a campaign targets; opted-out contacts and do-not-contact numbers are always left out. */
export interface Audience {
  /** Contacts with any of these tags. */
  tags?: string[];
  /** Contacts with all of these tags. */
  allTags?: string[];
  excludeTags?: string[];
  fields?: FieldFilter[];
  /** ISO 3166 countries of the numbers. */
  countries?: string[];
}

export type CampaignRow = Database['campaigns'];

/** A campaign row with its JSON columns read. */
export interface Campaign {
  row: CampaignRow;
  variants: CampaignVariant[];
  followUps: CampaignFollowUp[];
  audience: Audience;
  timeZones: string[];
}

export function readCampaign(row: CampaignRow): Campaign {
  return {
    row,
    variants: JSON.parse(row.variants) as CampaignVariant[],
    followUps: JSON.parse(row.follow_ups) as CampaignFollowUp[],
    audience: JSON.parse(row.audience) as Audience,
    timeZones: JSON.parse(row.time_zones) as string[],
  };
}

/** Every template id a campaign sends, variants first. */
export function campaignTemplateIds(campaign: Pick<Campaign, 'variants' | 'followUps'>): string[] {
  return [
    ...new Set([
      ...campaign.variants.map((variant) => variant.templateId),
      ...campaign.followUps.map((followUp) => followUp.templateId),
    ]),
  ];
}
