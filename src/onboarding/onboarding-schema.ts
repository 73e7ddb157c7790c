declare module '../store/schema.ts' {
  interface Database {
    /** Setup links sent to a tenant: the signed token names this row, so a link can expire or be revoked. */
    setup_links: {
      id: string;
      tenant_id: string;
      created_at: number;
      expires_at: number;
      revoked_at: number | null;
      last_used_at: number | null;
      /** 1: the link may connect more numbers after its first completed onboarding (operator only). */
      can_add_numbers: number;
    };
    /**
     * One connection attempt (Embedded Signup or manual), with the state of each step, so that a rerun
     * skips what is done and resumes where it stopped.
     */
    onboardings: {
      id: string;
      tenant_id: string;
      setup_link_id: string | null;
      /** embedded_signup or manual */
      method: string;
      /** running, completed or failed */
      state: string;
      app_id: string | null;
      waba_id: string | null;
      phone_number_id: string | null;
      /** The signup code until it is exchanged (sealed; it lives about 30 s anyway). */
      code_enc: string | null;
      /** The access token (sealed) from the code exchange, or pasted for a manual connection. */
      token_enc: string | null;
      token_kind: string | null;
      token_expires_at: number | null;
      /** The two-step verification PIN the number was registered with (sealed). */
      pin_enc: string | null;
      /** JSON: { [step]: { state: 'done' | 'skipped' | 'failed', at, detail? } }. */
      steps: string;
      /** JSON of the last failure: { step, reason, message, meta? }. */
      failure: string | null;
      /** A run holds the record until then, so two clicks do not exchange one code twice. */
      locked_until: number | null;
      created_at: number;
      updated_at: number;
      completed_at: number | null;
    };
    /** Whether a number is connected; a disconnected number keeps its row (and data) but never sends. */
    number_connections: {
      phone_number_id: string;
      tenant_id: string;
      /** connected or disconnected */
      state: string;
      onboarding_id: string | null;
      connected_at: number;
      disconnected_at: number | null;
      disconnect_reason: string | null;
    };
  }
}

export {};
