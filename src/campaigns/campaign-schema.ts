import type { Generated } from 'kysely';

/**
 * The campaigns domain's tables (see campaign-migrations.ts). Times are epoch milliseconds; JSON is text.
 * Migration 0200 also adds `fields`, `time_zone` and `country` to the core `contacts` table (declared there).
 */
declare module '../store/schema.ts' {
  interface Database {
    contact_tags: { tenant_id: string; contact_id: string; tag: string };
    /** Numbers never to message, whether or not they are contacts yet (a suppression list). */
    do_not_contact: {
      tenant_id: string;
      /** E.164 digits, like contacts.wa_id. */
      wa_id: string;
      reason: string | null;
      /** api, import, … */
      source: string;
      import_id: string | null;
      created_at: number;
    };
    contact_imports: {
      id: string;
      tenant_id: string;
      /** contacts or do_not_contact */
      kind: string;
      /** csv, json or ndjson (json also reads NDJSON: the first character decides) */
      format: string;
      /** receiving → queued → running → completed | failed (also an upload or a run a crash cut short) */
      state: string;
      default_country: string | null;
      /** The opt-in source recorded for rows that name none. */
      opt_in_source: string | null;
      /** JSON array of tags added to every row. */
      tags: string;
      bytes: number;
      chunk_count: number;
      rows_read: number;
      imported: number;
      merged: number;
      /** Merges whose rows disagreed on a value (see contact_import_merges). */
      merge_conflicts: number;
      invalid: number;
      problem: string | null;
      /**
       * The run that holds the import ("streamed" for a CLI run, whose file is not stored). With updated_at,
       * renewed at every batch, it is the run's lease: see sweep-interrupted-imports.ts.
       */
      run_id: string | null;
      created_at: number;
      started_at: number | null;
      finished_at: number | null;
      updated_at: number;
    };
    /** The uploaded file, in pieces of up to 1 MiB, until the import finishes. */
    contact_import_chunks: { import_id: string; seq: number; data: Buffer };
    /** The values an import's merges replaced: the merge report. */
    contact_import_merges: {
      id: Generated<number>;
      import_id: string;
      wa_id: string;
      /** name, timeZone, or a custom field's name. */
      field: string;
      kept: string;
      kept_line: number;
      replaced: string;
      /** The earlier row's line; null when the replaced value was the saved contact's. */
      replaced_line: number | null;
    };
    contact_import_errors: {
      id: Generated<number>;
      import_id: string;
      /** The line of the file where the row starts (1 is a CSV's header). */
      line: number;
      reason: string;
      /** The row as it was, cut to 500 characters. */
      raw: string | null;
    };
    /** Per-tenant consent and cost settings; defaults apply when a tenant has no row. */
    consent_settings: {
      tenant_id: string;
      /** JSON array of opt-out keywords. */
      opt_out_keywords: string;
      /** JSON object: language → confirmation text. */
      confirmation_texts: string;
      /** JSON object: pricing category → USD per billable message. */
      prices_usd: string;
      updated_at: number;
    };
    message_templates: {
      id: string;
      tenant_id: string;
      waba_id: string;
      meta_template_id: string | null;
      name: string;
      language: string;
      /** MARKETING, UTILITY or AUTHENTICATION */
      category: string;
      /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED … */
      status: string;
      /** positional or named */
      parameter_format: string;
      /** Meta's component JSON, as synced. */
      components: string;
      status_reason: string | null;
      /** message_template_quality_update: GREEN, YELLOW, RED or UNKNOWN; null until Meta sends one. */
      quality_score: string | null;
      /** template_category_update: the category before Meta changed it, and when. */
      previous_category: string | null;
      category_changed_at: number | null;
      /** A FLAGGED template's `disable_info.disable_date` (epoch ms): it will be disabled then. */
      disable_at: number | null;
      created_at: number;
      updated_at: number;
    };
    campaigns: {
      id: string;
      tenant_id: string;
      name: string;
      /** draft → planning → running ⇄ paused → completed | cancelled */
      state: string;
      phone_number_id: string;
      /** MARKETING when any of its templates is; a marketing-only opt-out suppresses these campaigns. */
      category: string;
      /** JSON: [{ name, templateId, parameters, weight }] */
      variants: string;
      /** JSON: [{ afterMs, templateId, parameters }] */
      follow_ups: string;
      /** JSON: { tags, allTags, excludeTags, fields, countries } */
      audience: string;
      start_at: number;
      /** Minutes after local midnight: sends only in [quiet_end, quiet_start) local time. */
      send_from_minute: number;
      send_until_minute: number;
      /** IANA zone for contacts without one, and for the daily cap's day. */
      time_zone: string;
      daily_cap: number | null;
      agent_profile_id: string | null;
      /** Why the campaign is paused: operator, quality_downgrade, tier_limit_reached, template_paused … */
      pause_reason: string | null;
      /** JSON array of the time zones of the planned contacts. */
      time_zones: string;
      targeted_count: number;
      suppressed_count: number;
      /** When the scheduler looks at this campaign next (planning and running campaigns only). */
      next_tick_at: number | null;
      /** A scheduler holding this campaign (several instances may run one). */
      tick_locked_until: number | null;
      launched_at: number | null;
      paused_at: number | null;
      completed_at: number | null;
      cancelled_at: number | null;
      created_at: number;
      updated_at: number;
    };
    campaign_contacts: {
      campaign_id: string;
      contact_id: string;
      tenant_id: string;
      wa_id: string;
      variant: string;
      time_zone: string;
      /** queued, sent, delivered, read, replied, qualified, converted, opted_out, suppressed, failed */
      state: string;
      /** Forward-only order of `state` (see contact-states.ts). */
      state_rank: number;
      /** The step to send next (0 the first message, n the n-th follow-up); null when nothing is left. */
      next_step: number | null;
      /** When the next step may go (before quiet hours and the cap); null while a step is in flight. */
      due_at: number | null;
      sent_at: number | null;
      delivered_at: number | null;
      read_at: number | null;
      replied_at: number | null;
      qualified_at: number | null;
      converted_at: number | null;
      opted_out_at: number | null;
      failed_at: number | null;
      error_code: number | null;
      error_title: string | null;
      updated_at: number;
    };
    /** One row per campaign message put in the outbox; the id is the outbox id. */
    campaign_messages: {
      id: string;
      campaign_id: string;
      tenant_id: string;
      contact_id: string;
      step: number;
      variant: string;
      template_id: string;
      category: string;
      /** queued, sent, delivered, read, failed, cancelled */
      state: string;
      state_rank: number;
      wamid: string | null;
      error_code: number | null;
      error_title: string | null;
      released_at: number;
      sent_at: number | null;
      /** From the first billable status's pricing; null until one arrives. */
      cost_usd: number | null;
      pricing_category: string | null;
      updated_at: number;
    };
    outbound_webhook_endpoints: {
      id: string;
      tenant_id: string;
      url: string;
      secret_enc: string;
      /** JSON array of event names; empty means all. */
      events: string;
      is_active: number;
      created_at: number;
      updated_at: number;
    };
    outbound_webhook_deliveries: {
      id: string;
      endpoint_id: string;
      tenant_id: string;
      event: string;
      payload: string;
      /** pending → delivered | failed */
      state: string;
      attempts: number;
      response_status: number | null;
      last_error: string | null;
      created_at: number;
      updated_at: number;
      delivered_at: number | null;
    };
    /** An event sent once per subject (lead.qualified once per conversation). */
    tenant_event_marks: { tenant_id: string; event: string; subject: string; created_at: number };
  }
}
