/**
 * The agent's tables, added to the store's Database type (the way `queue/job-schema.ts` adds `jobs`).
 * Times are epoch milliseconds, JSON is text, booleans are 0/1, money is USD as a double.
 */
declare module '../store/schema.ts' {
  interface Database {
    /** One profile per tenant (campaign_key '') and optionally one per campaign (campaign_key = campaign id). */
    agent_profiles: {
      id: string;
      tenant_id: string;
      /** '' for the tenant's default profile: a unique key cannot rely on NULL, which PostgreSQL treats as distinct. */
      campaign_key: string;
      /** JSON: the AgentProfile fields, validated on write (see agent-profile.ts). */
      profile: string;
      is_enabled: number;
      /** JSON `{ name, languageCode, category }`: what may go when the 24-hour window is closed, or null. */
      window_closed_template: string | null;
      /** playbook, openai-compatible or anthropic; null inherits the tenant's default profile's settings. */
      model_provider: string | null;
      model_base_url: string | null;
      model_name: string | null;
      /** Sealed with the SecretBox; never returned by the API and never logged. */
      model_api_key_enc: string | null;
      created_at: number;
      updated_at: number;
    };
    /** A tenant's monthly spend limit for model calls. */
    agent_budgets: {
      tenant_id: string;
      monthly_limit_usd: number | null;
      updated_at: number;
    };
    /** Model spend per tenant and calendar month (UTC, `YYYY-MM`), added to by every turn. */
    agent_spend: {
      tenant_id: string;
      period: string;
      cost_usd: number;
      turn_count: number;
      updated_at: number;
    };
    knowledge_documents: {
      id: string;
      tenant_id: string;
      title: string;
      /** text/plain, text/markdown, or a media type (image/…, application/pdf …) for a media asset. */
      content_type: string;
      /** The text as given (empty for a media asset without a description). */
      body: string;
      /** For a media asset the agent may send: a public link Meta can fetch. */
      media_url: string | null;
      /** image, document, video or audio: the WhatsApp message type of the asset. */
      media_kind: string | null;
      chunk_count: number;
      created_at: number;
    };
    knowledge_chunks: {
      id: string;
      tenant_id: string;
      document_id: string;
      position: number;
      /** The passage as the agent reads it. */
      text: string;
      /** Lowercased, without diacritics: what the full-text index holds (PostgreSQL derives its tsvector from it). */
      search_text: string;
    };
    /** SQLite only (DialectFlags.fullTextSearch = 'fts5'): the FTS5 index over knowledge_chunks.search_text. */
    knowledge_chunks_fts: {
      chunk_id: string;
      search_text: string;
    };
    /** Where the agent is in a conversation: which customer messages it has answered, what its summary covers. */
    agent_conversation_state: {
      conversation_id: string;
      tenant_id: string;
      /** created_at of the newest customer message handled, and the ids handled at exactly that time. */
      cursor_at: number | null;
      cursor_ids: string;
      /** created_at of the newest message folded into conversations.summary. */
      summarized_until: number | null;
      handoff_reason: string | null;
      handoff_summary: string | null;
      handed_off_at: number | null;
      updated_at: number;
    };
    /** One row per agent turn: what the model saw and did, how long it took and what it cost. */
    agent_turns: {
      id: string;
      tenant_id: string;
      conversation_id: string | null;
      /** replied, silent, skipped, handed_off, failed, or playground. */
      status: string;
      /** Why a turn was skipped or handed off: human-owner, closed, opted-out, window-closed, spend-limit … */
      reason: string | null;
      /** JSON array of the customer message ids this turn answered. */
      message_ids: string;
      /** Characters of the model input (profile, history, knowledge, tools), a proxy for prompt size. */
      prompt_chars: number;
      history_lines: number;
      knowledge_passages: number;
      steps: number;
      /** JSON array of { name, arguments, result, isError }. */
      tool_calls: string;
      /** JSON array of the reply bubbles queued. */
      replies: string;
      model: string | null;
      input_tokens: number;
      output_tokens: number;
      cost_usd: number;
      latency_ms: number;
      model_latency_ms: number;
      error: string | null;
      started_at: number;
      finished_at: number;
    };
    agent_callbacks: {
      id: string;
      tenant_id: string;
      conversation_id: string;
      contact_id: string;
      scheduled_at: number;
      /** The customer's IANA time zone the time was agreed in. */
      time_zone: string;
      note: string | null;
      /** scheduled, done or cancelled. */
      state: string;
      created_at: number;
    };
  }
}

export {};
