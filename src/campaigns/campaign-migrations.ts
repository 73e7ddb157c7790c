import { sql } from 'kysely';
import type { Migration } from '../store/migrations.ts';
import './campaign-schema.ts';

/** The campaigns domain's tables (see campaign-schema.ts). Forward-only, like every migration. */
export const campaignMigrations: Migration[] = [
  {
    name: '0200_campaigns_contacts_and_consent',
    async up(db, flags) {
      await db.schema
        .alterTable('contacts')
        .addColumn('fields', 'text', (c) => c.notNull().defaultTo(sql.raw("'{}'")))
        .execute();
      await db.schema.alterTable('contacts').addColumn('time_zone', 'text').execute();
      await db.schema.alterTable('contacts').addColumn('country', 'text').execute();
      // Keyset pages of a tenant's contacts (the API list, audience planning).
      await db.schema.createIndex('contacts_tenant_id').on('contacts').columns(['tenant_id', 'id']).execute();
      await db.schema
        .createTable('contact_tags')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
        .execute();
      await db.schema
        .createIndex('contact_tags_tenant_tag')
        .on('contact_tags')
        .columns(['tenant_id', 'tag', 'contact_id'])
        .execute();
      await db.schema
        .createTable('do_not_contact')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('wa_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('import_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('do_not_contact_pk', ['tenant_id', 'wa_id'])
        .execute();
      await db.schema
        .createTable('contact_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('default_country', 'text')
        .addColumn('opt_in_source', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('chunk_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('merged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('invalid', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('problem', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contact_imports_tenant')
        .on('contact_imports')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('contact_import_chunks')
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', flags.binaryType, (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_import_chunks_pk', ['import_id', 'seq'])
        .execute();
      await db.schema
        .createTable('contact_import_errors')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('raw', 'text')
        .execute();
      await db.schema
        .createIndex('contact_import_errors_import')
        .on('contact_import_errors')
        .columns(['import_id', 'id'])
        .execute();
      await db.schema
        .createTable('consent_settings')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('opt_out_keywords', 'text', (c) => c.notNull())
        .addColumn('confirmation_texts', 'text', (c) => c.notNull())
        .addColumn('prices_usd', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Error 131050 failures are swept into marketing opt-outs; this finds them without scanning the outbox.
      await db.schema
        .createIndex('outbox_error_code')
        .on('outbox')
        .columns(['error_code', 'updated_at'])
        .execute();
    },
  },
  {
    name: '0201_campaigns_templates_and_campaigns',
    async up(db) {
      await db.schema
        .createTable('message_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('waba_id', 'text', (c) => c.notNull())
        .addColumn('meta_template_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('parameter_format', 'text', (c) => c.notNull())
        .addColumn('components', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('message_templates_key', ['tenant_id', 'waba_id', 'name', 'language'])
        .execute();
      await db.schema
        .createTable('campaigns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('variants', 'text', (c) => c.notNull())
        .addColumn('follow_ups', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('start_at', 'bigint', (c) => c.notNull())
        .addColumn('send_from_minute', 'integer', (c) => c.notNull())
        .addColumn('send_until_minute', 'integer', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('daily_cap', 'integer')
        .addColumn('agent_profile_id', 'text')
        .addColumn('pause_reason', 'text')
        .addColumn('time_zones', 'text', (c) => c.notNull().defaultTo(sql.raw("'[]'")))
        .addColumn('targeted_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('suppressed_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_tick_at', 'bigint')
        .addColumn('tick_locked_until', 'bigint')
        .addColumn('launched_at', 'bigint')
        .addColumn('paused_at', 'bigint')
        .addColumn('completed_at', 'bigint')
        .addColumn('cancelled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('campaigns_tenant')
        .on('campaigns')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('campaigns_due')
        .on('campaigns')
        .columns(['state', 'next_tick_at'])
        .execute();
      await db.schema
        .createTable('campaign_contacts')
        .addColumn('campaign_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('wa_id', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_rank', 'integer', (c) => c.notNull())
        .addColumn('next_step', 'integer')
        .addColumn('due_at', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .addColumn('read_at', 'bigint')
        .addColumn('replied_at', 'bigint')
        .addColumn('qualified_at', 'bigint')
        .addColumn('converted_at', 'bigint')
        .addColumn('opted_out_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('error_code', 'integer')
        .addColumn('error_title', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('campaign_contacts_pk', ['campaign_id', 'contact_id'])
        .execute();
      // The scheduler's question: who in this time zone is due?
      await db.schema
        .createIndex('campaign_contacts_due')
        .on('campaign_contacts')
        .columns(['campaign_id', 'time_zone', 'due_at'])
        .execute();
      // In-flight contacts waiting for their follow-up time (due_at is null) and replied ones (outcome sync).
      await db.schema
        .createIndex('campaign_contacts_pending')
        .on('campaign_contacts')
        .columns(['campaign_id', 'due_at', 'next_step'])
        .execute();
      await db.schema
        .createIndex('campaign_contacts_replied')
        .on('campaign_contacts')
        .columns(['campaign_id', 'replied_at'])
        .execute();
      // Opt-outs and replies find a contact's rows in every campaign of the tenant.
      await db.schema
        .createIndex('campaign_contacts_contact')
        .on('campaign_contacts')
        .columns(['tenant_id', 'contact_id'])
        .execute();
      await db.schema
        .createTable('campaign_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('campaign_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('template_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_rank', 'integer', (c) => c.notNull())
        .addColumn('wamid', 'text')
        .addColumn('error_code', 'integer')
        .addColumn('error_title', 'text')
        .addColumn('released_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('cost_usd', 'double precision')
        .addColumn('pricing_category', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('campaign_messages_state')
        .on('campaign_messages')
        .columns(['campaign_id', 'state'])
        .execute();
      await db.schema
        .createIndex('campaign_messages_released')
        .on('campaign_messages')
        .columns(['campaign_id', 'released_at'])
        .execute();
      await db.schema
        .createIndex('campaign_messages_contact')
        .on('campaign_messages')
        .columns(['contact_id', 'campaign_id', 'step'])
        .execute();
    },
  },
  {
    name: '0202_campaigns_outbound_webhooks',
    async up(db) {
      await db.schema
        .createTable('outbound_webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('outbound_webhook_endpoints_tenant')
        .on('outbound_webhook_endpoints')
        .columns(['tenant_id'])
        .execute();
      await db.schema
        .createTable('outbound_webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('outbound_webhook_deliveries_endpoint')
        .on('outbound_webhook_deliveries')
        .columns(['endpoint_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('outbound_webhook_deliveries_tenant')
        .on('outbound_webhook_deliveries')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('tenant_event_marks')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tenant_event_marks_pk', ['tenant_id', 'event', 'subject'])
        .execute();
    },
  },
  {
    // An import's run holds it by this id (with updated_at as its lease), so that a run whose process
    // died is taken over within seconds, and a slow run that was taken over stops (issue 10).
    name: '0203_contact_import_runs',
    async up(db) {
      await db.schema.alterTable('contact_imports').addColumn('run_id', 'text').execute();
    },
  },
  {
    // Meta's template webhooks beyond status: quality, a category change (it changes the price), and the
    // date a flagged template will be disabled.
    name: '0204_campaigns_template_quality_and_schedule',
    async up(db) {
      await db.schema.alterTable('message_templates').addColumn('quality_score', 'text').execute();
      await db.schema.alterTable('message_templates').addColumn('previous_category', 'text').execute();
      await db.schema.alterTable('message_templates').addColumn('category_changed_at', 'bigint').execute();
      await db.schema.alterTable('message_templates').addColumn('disable_at', 'bigint').execute();
    },
  },
  {
    // A duplicate row used to replace a contact's name or fields with nothing to show for it (issue 11):
    // each value a merge replaces is now kept, with both values and their lines, for a merge report.
    name: '0205_contact_import_merges',
    async up(db, flags) {
      await db.schema
        .alterTable('contact_imports')
        .addColumn('merge_conflicts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('contact_import_merges')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('wa_id', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('kept', 'text', (c) => c.notNull())
        .addColumn('kept_line', 'integer', (c) => c.notNull())
        .addColumn('replaced', 'text', (c) => c.notNull())
        .addColumn('replaced_line', 'integer')
        .execute();
      await db.schema
        .createIndex('contact_import_merges_import')
        .on('contact_import_merges')
        .columns(['import_id', 'id'])
        .execute();
    },
  },
];
