/** The API's shapes the screens read (a subset of each: what is shown). */

export interface ListPage<T> {
  data: T[];
  nextCursor?: string | null;
}

/** How Meta names a person: by number, or (when they hide it) by business-scoped user id and username. */
export interface ContactIdentity {
  waId: string | null;
  userId: string | null;
  parentUserId: string | null;
  username: string | null;
}

export interface ConversationRow {
  id: string;
  contact: ContactIdentity & { id: string; name: string | null; isOptedOut: boolean };
  owner: string;
  needsAttention: boolean;
  outcome: string | null;
  campaignId: string | null;
  isClosed: boolean;
  isWindowOpen: boolean;
  lastMessageAt: string | null;
  lastInboundAt: string | null;
  preview: {
    direction: string;
    text: string;
    status: string | null;
    hasError: boolean;
    /** Why an unsent message is held or failed (a conversation with nothing sent yet). */
    reason?: string | null;
  } | null;
}

export interface ConversationDetail {
  id: string;
  phoneNumberId: string;
  contact: ContactIdentity & {
    id: string;
    name: string | null;
    optedOutAt: string | null;
    marketingOptedOutAt: string | null;
  };
  owner: string;
  assignedUserId: string | null;
  leadFields: Record<string, string>;
  outcome: string | null;
  summary: string | null;
  needsAttention: boolean;
  isClosed: boolean;
  campaignId: string | null;
  agentTurnCount: number;
  agentCostUsd: number;
  handoff: { reason: string | null; summary: string | null; at: string | null } | null;
  isWindowOpen: boolean;
  lastInboundAt: string | null;
  lastMessageAt: string | null;
  callbacks?: Array<{
    id: string;
    scheduledAt: string;
    timeZone: string;
    localTime: string;
    note: string | null;
    state: string;
  }>;
  turns?: Array<Record<string, unknown>>;
}

export interface ThreadMessage {
  id: string;
  direction: 'in' | 'out';
  type: string;
  content: unknown;
  text: string;
  isEdited?: boolean;
  isRevoked?: boolean;
  source: string;
  /** The colleague who wrote a hand-sent reply. */
  senderName?: string | null;
  status?: string | null;
  statusAt?: string | null;
  /** For unsent messages: queued, sending, unknown, held, failed. */
  state?: string;
  reason?: string | null;
  error: { code: number | null; title: string | null } | null;
  at: string | null;
}

export interface Thread {
  messages: ThreadMessage[];
  unsent: ThreadMessage[];
}

export interface Template {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: string;
  statusReason: string | null;
  parameterFormat: string;
  components: Array<{
    type: string;
    text?: string;
    format?: string;
    buttons?: Array<{ type: string; text: string; url?: string }>;
  }>;
  parameters: {
    header: string[];
    body: string[];
    buttons: Array<{ index: number; type: string; parameters: string[] }>;
  };
  updatedAt: string;
}

export interface TemplatePreview {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: Array<{ type: string; text: string; url: string | null }>;
  problems: string[];
}

export interface Campaign {
  id: string;
  name: string;
  state: string;
  pauseReason: string | null;
  phoneNumberId: string;
  category: string;
  variants: Array<{ name: string; templateId: string; parameters: unknown; weight: number }>;
  startAt: string;
  sendingHours: { from: string; until: string };
  timeZone: string;
  dailyCap: number | null;
  progress: {
    targeted: number;
    suppressedAtPlanning: number;
    byState: Record<string, number>;
    inFlight: number;
    nextTickAt: string | null;
  };
  launchedAt: string | null;
  pausedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
}

export interface FunnelRow {
  variant: string;
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  qualified: number;
  converted: number;
  optedOut: number;
  suppressed: number;
  failed: number;
  waiting: number;
  failedByReason: Array<{ code: number | null; reason: string | null; count: number }>;
  messagesSent: number;
  billableMessages: number;
  costUsd: number;
}

export interface Funnel {
  variants: FunnelRow[];
  total: FunnelRow;
}

export interface Contact extends ContactIdentity {
  id: string;
  phone: string | null;
  name: string | null;
  fields: Record<string, string>;
  tags: string[];
  timeZone: string | null;
  country: string | null;
  optedOutAt: string | null;
  marketingOptedOutAt: string | null;
  isDoNotContact: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ContactImport {
  id: string;
  kind: string;
  format: string;
  state: string;
  bytes: number;
  rowsRead: number;
  imported: number;
  merged: number;
  /** Merges that replaced a different value (the later row's is kept); listed in merges.csv. */
  mergeConflicts: number;
  invalid: number;
  problem: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface PhoneNumberHealth {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  qualityRating: string | null;
  messagingTier: string | null;
  throughputMps: number;
  graphApiVersion: string | null;
  isHealthy: boolean;
  healthProblem: string | null;
  webhookLastSeenAt: string | null;
  token: {
    kind: string;
    hint: string;
    expiresAt: string | null;
    isExpired: boolean;
    isExpiringSoon: boolean;
  } | null;
}

/** Contact states in a campaign that are done (everything but queued). */
export function processedCount(campaign: Campaign): number {
  const queued = campaign.progress.byState.queued ?? 0;
  return Math.max(0, campaign.progress.targeted - queued);
}
