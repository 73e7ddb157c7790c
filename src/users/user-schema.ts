/**
 * The users domain's tables (see user-migrations.ts): the people who sign in to the dashboard, and their
 * sessions. Times are epoch milliseconds; booleans are 0/1 integers.
 */
declare module '../store/schema.ts' {
  interface Database {
    users: {
      id: string;
      tenant_id: string;
      /** Lowercased: one address signs in to one tenant. */
      email: string;
      name: string;
      /** admin (everything, including users and settings) or agent (inbox, campaigns, contacts). */
      role: string;
      /** A PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
      password_hash: string;
      created_at: number;
      updated_at: number;
      last_sign_in_at: number | null;
      disabled_at: number | null;
    };
    user_sessions: {
      id: string;
      /** SHA-256 of the cookie's token: a stolen database does not yield working sessions. */
      token_hash: string;
      user_id: string;
      tenant_id: string;
      created_at: number;
      expires_at: number;
      last_seen_at: number;
      user_agent: string | null;
    };
    /**
     * The operator's dashboard sessions (signed in with the ADMIN_TOKEN): like user_sessions, plus the
     * company the operator acts for, which only the operator's own session can change.
     */
    operator_sessions: {
      id: string;
      token_hash: string;
      tenant_id: string;
      /** A hash of the ADMIN_TOKEN it signed in with: a rotated token ends the session. */
      admin_token_hash: string;
      created_at: number;
      expires_at: number;
      last_seen_at: number;
    };
    /** One row once the first admin was created from the first-run screen, so two racing setups make one. */
    first_run: { id: string; user_id: string; created_at: number };
  }
}

export {};
