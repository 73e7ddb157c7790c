import type { Migration } from '../store/migrations.ts';

export const healthMigrations: Migration[] = [
  {
    name: '0401_health',
    async up(db, flags) {
      await db.schema
        .createTable('number_health')
        .addColumn('phone_number_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('checks', 'text', (c) => c.notNull())
        .addColumn('token_is_valid', 'integer')
        .addColumn('token_missing_permissions', 'text', (c) => c.notNull())
        .addColumn('token_error', 'text')
        .addColumn('token_checked_at', 'bigint')
        .addColumn('graph_status', 'text')
        .addColumn('graph_quality_rating', 'text')
        .addColumn('graph_messaging_tier', 'text')
        .addColumn('graph_throughput_level', 'text')
        .addColumn('graph_checked_at', 'bigint')
        .addColumn('last_quality_update', 'text')
        .addColumn('last_quality_update_at', 'bigint')
        .addColumn('last_account_update', 'text')
        .addColumn('last_account_update_at', 'bigint')
        .addColumn('last_webhook_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('number_health_tenant')
        .on('number_health')
        .columns(['tenant_id'])
        .execute();
      await db.schema
        .createTable('health_events')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('check_name', 'text', (c) => c.notNull())
        .addColumn('previous_status', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('health_events_tenant')
        .on('health_events')
        .columns(['tenant_id', 'id'])
        .execute();
      await db.schema
        .createTable('webhook_app_stats')
        .addColumn('app_id', 'text', (c) => c.primaryKey())
        .addColumn('last_received_at', 'bigint')
        .addColumn('signature_failures', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_signature_failure_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('waba_call_budgets')
        .addColumn('waba_id', 'text', (c) => c.primaryKey())
        .addColumn('window_started_at', 'bigint', (c) => c.notNull())
        .addColumn('calls', 'integer', (c) => c.notNull())
        .addColumn('last_checked_at', 'bigint')
        .execute();
    },
  },
  {
    // account_update is folded into states (ban, restrictions, partner, connection, MM Lite terms), each
    // ordered by its own event time, instead of "whichever event arrived last".
    name: '0403_health_account_state',
    async up(db) {
      await db.schema.alterTable('number_health').addColumn('account_state', 'text').execute();
    },
  },
];
