import type { Kysely } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import { newSetupLinkId, readSetupToken, signSetupToken } from './setup-link-token.ts';
import './onboarding-schema.ts';

const HOUR_MS = 60 * 60 * 1000;
/** Three days by default: time for the customer to find the person with the Facebook business login. */
export const DEFAULT_SETUP_LINK_TTL_MS = 72 * HOUR_MS;
export const MAX_SETUP_LINK_TTL_MS = 30 * 24 * HOUR_MS; // 30 days

export interface SetupLinkView {
  id: string;
  tenantId: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Whether the link may connect more numbers once its first onboarding completed (operator's choice). */
  canAddNumbers: boolean;
  createdAt: string;
}

export interface ResolvedSetupLink {
  linkId: string;
  tenantId: string;
  canAddNumbers: boolean;
}

export interface CreatedSetupLink extends SetupLinkView {
  /** The page to send to the customer. It carries the token: treat it like a password. */
  url: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Setup links: signed, expiring URLs to the signup page of one tenant. */
export class SetupLinks {
  private readonly db: Kysely<Database>;
  private readonly key: Buffer;
  private readonly publicUrl: string;
  private readonly now: () => number;

  constructor(options: { db: Kysely<Database>; key: Buffer; publicUrl: string; now: () => number }) {
    this.db = options.db;
    this.key = options.key;
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.now = options.now;
  }

  /**
   * `canAddNumbers`: the link keeps working after its onboarding completed, to connect more numbers. Only
   * the operator may ask for it (the routes check); any other link is single-use once it connected one.
   */
  async create(
    tenantId: string,
    ttlMs: number = DEFAULT_SETUP_LINK_TTL_MS,
    options: { canAddNumbers?: boolean } = {},
  ): Promise<CreatedSetupLink> {
    const createdAt = this.now();
    const row = {
      id: newSetupLinkId(),
      tenant_id: tenantId,
      created_at: createdAt,
      expires_at: createdAt + Math.min(ttlMs, MAX_SETUP_LINK_TTL_MS),
      revoked_at: null,
      last_used_at: null,
      can_add_numbers: options.canAddNumbers ? 1 : 0,
    };
    await this.db.insertInto('setup_links').values(row).execute();
    const token = signSetupToken(this.key, row.id);
    return { ...toView(row), url: `${this.publicUrl}/setup/${token}` };
  }

  async list(tenantId: string): Promise<SetupLinkView[]> {
    const rows = await this.db
      .selectFrom('setup_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toView);
  }

  async revoke(tenantId: string, linkId: string): Promise<void> {
    const result = await this.db
      .updateTable('setup_links')
      .set({ revoked_at: this.now() })
      .where('id', '=', linkId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(`setup link ${linkId}`);
  }

  /** The link a token opens, or an error a customer can read (expired, revoked, not ours). */
  async resolve(token: string): Promise<ResolvedSetupLink> {
    const linkId = readSetupToken(this.key, token);
    if (!linkId)
      throw new AppError('not_found', 'this setup link is not valid: check that the whole link was copied');
    const row = await this.db
      .selectFrom('setup_links')
      .selectAll()
      .where('id', '=', linkId)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'this setup link is not valid');
    if (row.revoked_at !== null)
      throw new AppError('forbidden', 'this setup link was withdrawn: ask for a new one');
    if (row.expires_at <= this.now()) {
      throw new AppError('forbidden', `this setup link expired on ${iso(row.expires_at)}: ask for a new one`);
    }
    await this.db
      .updateTable('setup_links')
      .set({ last_used_at: this.now() })
      .where('id', '=', row.id)
      .execute();
    return { linkId: row.id, tenantId: row.tenant_id, canAddNumbers: row.can_add_numbers === 1 };
  }
}

function toView(row: Database['setup_links']): SetupLinkView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    expiresAt: iso(row.expires_at)!,
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    canAddNumbers: row.can_add_numbers === 1,
    createdAt: iso(row.created_at)!,
  };
}
