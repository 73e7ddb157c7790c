/**
 * A campaign contact's state only moves forward, like a message status (conversations/status-rank.ts): a
 * late `delivered` never undoes `read`, and a reply never undoes a qualification. `failed` outranks `sent`
 * (Meta took the message, then could not deliver it) but not `delivered`, so a failed follow-up does not
 * hide that the first message arrived. `opted_out` and `suppressed` end a contact's part in every campaign.
 */
export const CONTACT_STATE_RANKS = {
  queued: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
  replied: 5,
  qualified: 6,
  converted: 7,
  suppressed: 8,
  opted_out: 9,
} as const;

export type CampaignContactState = keyof typeof CONTACT_STATE_RANKS;

export const CAMPAIGN_CONTACT_STATES = Object.keys(CONTACT_STATE_RANKS) as CampaignContactState[];

/** A campaign message's own status, forward-only too; `cancelled` when it was withdrawn before sending. */
export const MESSAGE_STATE_RANKS = {
  queued: 0,
  cancelled: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
} as const;

export type CampaignMessageState = keyof typeof MESSAGE_STATE_RANKS;
