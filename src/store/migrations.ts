import { type Kysely, sql } from 'kysely';
import { agentMigrations } from '../agent/agent-migrations.ts';
import { campaignMigrations } from '../campaigns/campaign-migrations.ts';
import { dashboardMigrations } from '../dashboard/dashboard-migrations.ts';
import { healthMigrations } from '../health/health-migrations.ts';
import { onboardingMigrations } from '../onboarding/onboarding-migrations.ts';
import { queueMigrations } from '../queue/queue-migrations.ts';
import { userMigrations } from '../users/user-migrations.ts';
import { webhookMigrations } from '../whatsapp/webhook-migrations.ts';
import type { DialectFlags } from './dialect-flags.ts';

export interface Migration {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
  up(db: Kysely<any>, flags: DialectFlags): Promise<void>;
}

/**
 * Forward-only. Never edit a migration that has shipped; add a new one. Core tables are here; a domain
 * with tables of its own keeps its migrations beside its code and registers them in `migrations` below.
 */
const coreMigrations: Migration[] = [
  {
    name: '0001_tenants',
    async up(db) {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('meta_apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('app_id', 'text', (c) => c.notNull().unique())
        .addColumn('app_secret_enc', 'text', (c) => c.notNull())
        .addColumn('verify_token_enc', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('wabas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('waba_id', 'text', (c) => c.notNull().unique())
        .addColumn('app_id', 'text')
        .addColumn('name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('phone_numbers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('waba_id', 'text', (c) => c.notNull())
        .addColumn('phone_number_id', 'text', (c) => c.notNull().unique())
        .addColumn('display_phone_number', 'text')
        .addColumn('verified_name', 'text')
        .addColumn('quality_rating', 'text')
        .addColumn('messaging_tier', 'text')
        .addColumn('throughput_mps', 'integer', (c) => c.notNull().defaultTo(80))
        .addColumn('graph_api_url', 'text')
        .addColumn('graph_api_version', 'text')
        .addColumn('is_healthy', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('health_problem', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('access_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('waba_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('token_enc', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '0002_webhooks',
    async up(db, flags) {
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('app_id', 'text')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('body', flags.binaryType, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('problem', 'text')
        .addColumn('tenant_id', 'text')
        .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('unrouted_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('processed_at', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_state_id')
        .on('webhook_deliveries')
        .columns(['state', 'id'])
        .execute();
      await db.schema
        .createTable('webhook_events')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('tenant_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('waba_id', 'text')
        .addColumn('phone_number_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_events_tenant_kind')
        .on('webhook_events')
        .columns(['tenant_id', 'kind', 'id'])
        .execute();
    },
  },
  {
    name: '0003_conversations',
    async up(db, flags) {
      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('wa_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('name', 'text')
        .addColumn('username', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('contacts_tenant_wa_id', ['tenant_id', 'wa_id'])
        .addUniqueConstraint('contacts_tenant_user_id', ['tenant_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
        .addColumn('last_inbound_at', 'bigint')
        .addColumn('last_message_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('conversations_number_contact', ['tenant_id', 'phone_number_id', 'contact_id'])
        .execute();
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('conversation_id', 'text')
        .addColumn('contact_id', 'text')
        .addColumn('phone_number_id', 'text')
        .addColumn('wamid', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('context_wamid', 'text')
        .addColumn('sent_at', 'bigint')
        .addColumn('status', 'text')
        .addColumn('status_rank', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status_at', 'bigint')
        .addColumn('error_code', 'integer')
        .addColumn('error_title', 'text')
        .addColumn('biz_opaque_callback_data', 'text')
        .addColumn('is_revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('edited_content', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('messages_tenant_wamid', ['tenant_id', 'wamid'])
        .execute();
      await db.schema
        .createIndex('messages_conversation')
        .on('messages')
        .columns(['conversation_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('messages_tenant_created')
        .on('messages')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('message_statuses')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('wamid', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('recipient_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('message_statuses_once', ['tenant_id', 'wamid', 'status'])
        .execute();
    },
  },
  {
    name: '0004_dispatch',
    async up(db, flags) {
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('message_type', 'text', (c) => c.notNull())
        .addColumn('is_template', 'integer', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text')
        .addColumn('reply_to_wamid', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('hold_reason', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('locked_by', 'text')
        .addColumn('wamid', 'text')
        .addColumn('error_code', 'integer')
        .addColumn('error_title', 'text')
        .addColumn('error_category', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addUniqueConstraint('outbox_idempotency', ['tenant_id', 'idempotency_key'])
        .execute();
      await db.schema
        .createIndex('outbox_due')
        .on('outbox')
        .columns(['state', 'phone_number_id', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('outbox_tenant_created')
        .on('outbox')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema.createIndex('outbox_campaign').on('outbox').columns(['campaign_id', 'state']).execute();
      await db.schema
        .createTable('outbox_attempts')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('outbox_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer')
        .addColumn('error_code', 'integer')
        .addColumn('error_message', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_attempts_outbox')
        .on('outbox_attempts')
        .columns(['outbox_id'])
        .execute();
      await db.schema
        .createTable('pacers')
        .addColumn('phone_number_id', 'text', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('pair_pacers')
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('backoff_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked_until', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('pair_pacers_pk', ['phone_number_id', 'recipient'])
        .execute();
      await db.schema
        .createTable('tier_recipients')
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('last_initiated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tier_recipients_pk', ['phone_number_id', 'recipient'])
        .execute();
      await db.schema
        .createIndex('tier_recipients_recent')
        .on('tier_recipients')
        .columns(['phone_number_id', 'last_initiated_at'])
        .execute();
    },
  },
  {
    name: '0005_conversation_state_and_consent',
    async up(db, flags) {
      for (const [column, type, def] of [
        ['owner', 'text', "'agent'"],
        ['assigned_user_id', 'text', null],
        ['lead_fields', 'text', "'{}'"],
        ['outcome', 'text', null],
        ['summary', 'text', null],
        ['agent_turn_count', 'integer', '0'],
        ['agent_cost_usd', 'double precision', '0'],
        ['needs_attention', 'integer', '0'],
        ['campaign_id', 'text', null],
        ['agent_profile_id', 'text', null],
        ['last_agent_turn_at', 'bigint', null],
        ['is_closed', 'integer', '0'],
      ] as const) {
        await db.schema
          .alterTable('conversations')
          .addColumn(column, type, (c) => (def === null ? c : c.notNull().defaultTo(sql.raw(def))))
          .execute();
      }
      await db.schema.alterTable('contacts').addColumn('opted_out_at', 'bigint').execute();
      await db.schema.alterTable('contacts').addColumn('marketing_opted_out_at', 'bigint').execute();
      await db.schema
        .createTable('consent_events')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('proof', 'text')
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('consent_events_contact')
        .on('consent_events')
        .columns(['contact_id', 'id'])
        .execute();
    },
  },
  {
    name: '0006_pending_opt_outs',
    async up(db) {
      // Written with the delivery that carries the keyword; read by the dispatcher's claim while that
      // delivery waits in the inbox. The key is the claim's lookup: the number, then the recipient.
      await db.schema
        .createTable('pending_opt_outs')
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('wa_id', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_opt_outs_pk', ['phone_number_id', 'wa_id', 'delivery_id'])
        .execute();
      await db.schema
        .createIndex('pending_opt_outs_delivery')
        .on('pending_opt_outs')
        .column('delivery_id')
        .execute();
    },
  },
  {
    // Edits and revokes name the message they change; one that arrives first waits under this key until
    // the original comes (webhooks are not ordered), then applies to it.
    name: '0007_message_target_and_error_details',
    async up(db) {
      await db.schema.alterTable('messages').addColumn('target_wamid', 'text').execute();
      // Meta's error details (error_data.details), beside its code and title, for the API to show.
      await db.schema.alterTable('messages').addColumn('error_details', 'text').execute();
      // Where an outbound message was written when not through Coxcox: 'business_app' (coexistence echoes).
      await db.schema.alterTable('messages').addColumn('origin', 'text').execute();
      await db.schema
        .createIndex('messages_tenant_target')
        .on('messages')
        .columns(['tenant_id', 'target_wamid'])
        .execute();
    },
  },
  {
    // A username-only sender's parent_user_id (Meta's BSUID for the parent business portfolio) identifies
    // the same person across that portfolio's businesses; kept beside user_id so the API can show it.
    name: '0008_contact_parent_user_id',
    async up(db) {
      await db.schema.alterTable('contacts').addColumn('parent_user_id', 'text').execute();
    },
  },
];

/** Every migration in the order it is applied: core first, then each domain's in turn. */
const migrations: Migration[] = [
  ...coreMigrations,
  ...queueMigrations,
  ...agentMigrations,
  ...campaignMigrations,
  ...userMigrations,
  ...dashboardMigrations,
  ...onboardingMigrations,
  ...healthMigrations,
  ...webhookMigrations,
];

/** Applies every migration not yet applied, each in its own transaction, under a lock on PostgreSQL. */
// biome-ignore lint/suspicious/noExplicitAny: see Migration.
export async function migrateToLatest(db: Kysely<any>, flags: DialectFlags): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    if (flags.supportsSkipLocked) await sql`select pg_advisory_lock(4242001)`.execute(connection);
    try {
      await connection.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();
      const done = new Set(
        (await connection.selectFrom('schema_migrations').select('name').execute()).map((row) => row.name),
      );
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.name)) continue;
        await connection.transaction().execute(async (trx) => {
          await migration.up(trx, flags);
          await trx
            .insertInto('schema_migrations')
            .values({ name: migration.name, applied_at: Date.now() })
            .execute();
        });
        applied.push(migration.name);
      }
      return applied;
    } finally {
      if (flags.supportsSkipLocked) await sql`select pg_advisory_unlock(4242001)`.execute(connection);
    }
  });
}
