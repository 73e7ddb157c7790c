import type { Generated, Selectable } from 'kysely';

/**
 * The database as Kysely sees it. Times are epoch milliseconds; JSON is stored as text so that both
 * dialects read it back the same way; booleans are 0/1 integers.
 */
export interface Database {
  schema_migrations: { name: string; applied_at: number };
  tenants: { id: string; name: string; created_at: number };
  api_keys: {
    id: string;
    tenant_id: string;
    name: string;
    key_hash: string;
    key_prefix: string;
    created_at: number;
    revoked_at: number | null;
  };
  meta_apps: {
    id: string;
    tenant_id: string;
    app_id: string;
    app_secret_enc: string;
    verify_token_enc: string;
    created_at: number;
    updated_at: number;
  };
  wabas: {
    id: string;
    tenant_id: string;
    waba_id: string;
    app_id: string | null;
    name: string | null;
    created_at: number;
  };
  phone_numbers: {
    id: string;
    tenant_id: string;
    waba_id: string;
    phone_number_id: string;
    display_phone_number: string | null;
    verified_name: string | null;
    quality_rating: string | null;
    messaging_tier: string | null;
    throughput_mps: number;
    graph_api_url: string | null;
    graph_api_version: string | null;
    is_healthy: number;
    health_problem: string | null;
    created_at: number;
    updated_at: number;
  };
  access_tokens: {
    id: string;
    tenant_id: string;
    waba_id: string | null;
    kind: string;
    token_enc: string;
    expires_at: number | null;
    created_at: number;
  };
  webhook_deliveries: {
    id: Generated<number>;
    app_id: string | null;
    received_at: number;
    body: Buffer;
    /** pending → processed, or invalid when the body does not parse as a WhatsApp notification. */
    state: Generated<string>;
    problem: string | null;
    tenant_id: string | null;
    event_count: Generated<number>;
    unrouted_count: Generated<number>;
    processed_at: number | null;
    attempts: Generated<number>;
    /** Events refused because the app that carried them is not entitled to their number (decision 0009). */
    refused_count: Generated<number>;
    /** The first refusal's reason, for the log; the events themselves are in `webhook_refusals`. */
    refusal: Generated<string | null>;
  };
  /**
   * Each tenant's part of a delivery: the events applied to it, and the routing keys
   * (`<phone number id>|<WABA id>`) of the changes that carried them, which a tenant's view of the raw body
   * keeps. A delivery with entries for two tenants has two rows.
   */
  webhook_delivery_tenants: {
    delivery_id: number;
    tenant_id: string;
    event_count: number;
    /** JSON array of routing keys; null for deliveries processed before parts existed (replay to fill). */
    routing_keys: string | null;
  };
  /** Events kept but never applied: the app that carried them is not entitled to their number or WABA. */
  webhook_refusals: {
    id: Generated<number>;
    delivery_id: number;
    app_id: string | null;
    /** The tenant that owns the number or WABA the event named (the one it would have changed). */
    tenant_id: string;
    reason: string;
    detail: string;
    kind: string;
    dedupe_key: string;
    waba_id: string | null;
    phone_number_id: string | null;
    payload: string;
    created_at: number;
  };
  /**
   * An opt-out keyword seen at intake in a delivery the inbox has not applied yet (tenant unknown then):
   * the dispatcher sends nothing more to that customer from that number until the inbox has applied it.
   */
  pending_opt_outs: {
    phone_number_id: string;
    wa_id: string;
    delivery_id: number;
    text: string;
    received_at: number;
  };
  webhook_events: {
    id: Generated<number>;
    delivery_id: number;
    tenant_id: string | null;
    kind: string;
    dedupe_key: string;
    waba_id: string | null;
    phone_number_id: string | null;
    payload: string;
    occurred_at: number | null;
    created_at: number;
  };
  contacts: {
    id: string;
    tenant_id: string;
    wa_id: string | null;
    user_id: string | null;
    name: string | null;
    username: string | null;
    /** The business-scoped user id at the parent portfolio level (contact migration 0008). */
    parent_user_id: Generated<string | null>;
    created_at: number;
    updated_at: number;
    /** Stopped all messages from this tenant (a stop request in the chat). */
    opted_out_at: Generated<number | null>;
    /** Stopped marketing only (Meta's user_preferences stop, or error 131050). */
    marketing_opted_out_at: Generated<number | null>;
    /** Custom fields from imports and the API, a JSON object of strings (campaigns migration 0200). */
    fields: Generated<string>;
    /** IANA zone: given explicitly, or the most populous zone of the number's country. */
    time_zone: Generated<string | null>;
    /** ISO 3166-1 alpha-2 country of the number. */
    country: Generated<string | null>;
  };
  consent_events: {
    id: Generated<number>;
    tenant_id: string;
    contact_id: string;
    /** opt_in or opt_out */
    kind: string;
    /** all or marketing */
    scope: string;
    /** keyword, agent, user_preferences, error_131050, api, import … */
    source: string;
    proof: string | null;
    occurred_at: number;
    created_at: number;
  };
  conversations: {
    id: string;
    tenant_id: string;
    phone_number_id: string;
    contact_id: string;
    last_inbound_at: number | null;
    last_message_at: number | null;
    created_at: number;
    /** Who answers: the AI agent or a human (after a takeover or a handoff). */
    owner: Generated<string>;
    assigned_user_id: string | null;
    /** JSON object of lead fields collected so far. */
    lead_fields: Generated<string>;
    /** interested, not_interested, qualified, converted, callback … */
    outcome: string | null;
    summary: string | null;
    agent_turn_count: Generated<number>;
    agent_cost_usd: Generated<number>;
    needs_attention: Generated<number>;
    campaign_id: string | null;
    agent_profile_id: string | null;
    last_agent_turn_at: number | null;
    is_closed: Generated<number>;
  };
  messages: {
    id: string;
    tenant_id: string;
    conversation_id: string | null;
    contact_id: string | null;
    phone_number_id: string | null;
    wamid: string;
    direction: string;
    type: string;
    content: string;
    context_wamid: string | null;
    sent_at: number | null;
    status: string | null;
    status_rank: number;
    status_at: number | null;
    error_code: number | null;
    error_title: string | null;
    /** Meta's `error_data.details` (or its message) for the error above. */
    error_details: string | null;
    biz_opaque_callback_data: string | null;
    is_revoked: number;
    edited_content: string | null;
    /** For an edit or a revoke: the wamid of the message it changes. */
    target_wamid: string | null;
    /** 'business_app' for a message the business sent from the WhatsApp Business app (smb_message_echoes). */
    origin: string | null;
    created_at: number;
    updated_at: number;
  };
  outbox: {
    id: string;
    tenant_id: string;
    phone_number_id: string;
    recipient: string;
    conversation_id: string | null;
    message: string;
    message_type: string;
    is_template: number;
    category: string | null;
    source: string;
    campaign_id: string | null;
    reply_to_wamid: string | null;
    idempotency_key: string | null;
    /** The colleague who wrote a hand-sent reply (users.id), else null. */
    sent_by_user_id: string | null;
    /** queued → sending → sent | failed; unknown when a send's outcome was lost; held while the number cannot send. */
    state: string;
    hold_reason: string | null;
    attempts: number;
    next_attempt_at: number;
    locked_until: number | null;
    locked_by: string | null;
    wamid: string | null;
    error_code: number | null;
    error_title: string | null;
    error_category: string | null;
    created_at: number;
    updated_at: number;
    sent_at: number | null;
  };
  outbox_attempts: {
    id: Generated<number>;
    outbox_id: string;
    attempt: number;
    started_at: number;
    finished_at: number;
    outcome: string;
    http_status: number | null;
    error_code: number | null;
    error_message: string | null;
  };
  pacers: { phone_number_id: string; tokens: number; updated_at: number };
  pair_pacers: {
    phone_number_id: string;
    recipient: string;
    tokens: number;
    updated_at: number;
    backoff_level: number;
    blocked_until: number;
  };
  tier_recipients: { phone_number_id: string; recipient: string; last_initiated_at: number };
  message_statuses: {
    id: Generated<number>;
    tenant_id: string;
    wamid: string;
    status: string;
    occurred_at: number;
    recipient_id: string | null;
    payload: string;
    delivery_id: number;
    created_at: number;
  };
}

export type WebhookDeliveryRow = Selectable<Database['webhook_deliveries']>;
export type WebhookRefusalRow = Selectable<Database['webhook_refusals']>;
