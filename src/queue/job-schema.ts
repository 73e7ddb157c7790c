declare module '../store/schema.ts' {
  interface Database {
    jobs: {
      id: string;
      kind: string;
      /** At most one live job per (kind, dedupe key): a conversation's agent turn, a campaign's planning. */
      dedupe_key: string | null;
      payload: string;
      /** pending → running → (deleted when done) | failed. */
      state: string;
      run_at: number;
      attempts: number;
      /** Set when the job was asked for again while running: it runs once more when it finishes. */
      is_rerun_requested: number;
      locked_until: number | null;
      locked_by: string | null;
      last_error: string | null;
      created_at: number;
      updated_at: number;
    };
  }
}

export {};
