import type { Generated } from 'kysely';

declare module '../store/schema.ts' {
  interface Database {
    /** The last health assessment of a number, and what the checks last learned from Meta. */
    number_health: {
      phone_number_id: string;
      tenant_id: string;
      /** ok, warning, critical or unknown: the worst of the checks. */
      status: string;
      /** JSON array of HealthCheck. */
      checks: string;
      /** From debug_token: 1 valid, 0 not, null never asked. */
      token_is_valid: number | null;
      /** JSON array of the permissions Coxcox needs that the token lacks. */
      token_missing_permissions: string;
      token_error: string | null;
      token_checked_at: number | null;
      /** What Meta last said (not our overrides): a change of these is applied to phone_numbers. */
      graph_status: string | null;
      graph_quality_rating: string | null;
      graph_messaging_tier: string | null;
      graph_throughput_level: string | null;
      graph_checked_at: number | null;
      /** The last phone_number_quality_update and account_update (JSON), and when they came. */
      last_quality_update: string | null;
      last_quality_update_at: number | null;
      last_account_update: string | null;
      last_account_update_at: number | null;
      /** JSON AccountState: every aspect of account_update, each set by its newest event. */
      account_state: string | null;
      /** The last webhook event about this number (or its WABA). */
      last_webhook_at: number | null;
      updated_at: number;
    };
    /** A change of a number's health: one row per check that changed. */
    health_events: {
      id: Generated<number>;
      tenant_id: string;
      phone_number_id: string;
      check_name: string;
      previous_status: string | null;
      status: string;
      summary: string;
      created_at: number;
    };
    /** Durable webhook counters per Meta app (the in-memory metric resets with the process). */
    webhook_app_stats: {
      app_id: string;
      last_received_at: number | null;
      signature_failures: number;
      last_signature_failure_at: number | null;
      updated_at: number;
    };
    /** Background Graph calls per WABA in the current hour, so that checks stay far below Meta's limit. */
    waba_call_budgets: {
      waba_id: string;
      window_started_at: number;
      calls: number;
      last_checked_at: number | null;
    };
  }
}
