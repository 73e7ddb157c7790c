import type { Migration } from '../store/migrations.ts';

export const onboardingMigrations: Migration[] = [
  {
    name: '0400_onboarding',
    async up(db) {
      await db.schema
        .createTable('setup_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('setup_links_tenant')
        .on('setup_links')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('onboardings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('setup_link_id', 'text')
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text')
        .addColumn('waba_id', 'text')
        .addColumn('phone_number_id', 'text')
        .addColumn('code_enc', 'text')
        .addColumn('token_enc', 'text')
        .addColumn('token_kind', 'text')
        .addColumn('token_expires_at', 'bigint')
        .addColumn('pin_enc', 'text')
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('failure', 'text')
        .addColumn('locked_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('onboardings_tenant')
        .on('onboardings')
        .columns(['tenant_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('onboardings_link')
        .on('onboardings')
        .columns(['setup_link_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('number_connections')
        .addColumn('phone_number_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('onboarding_id', 'text')
        .addColumn('connected_at', 'bigint', (c) => c.notNull())
        .addColumn('disconnected_at', 'bigint')
        .addColumn('disconnect_reason', 'text')
        .execute();
    },
  },
  {
    // A setup link is single-use once its onboarding completes (issue 10: a second run attached another
    // number); an operator may create one that can add numbers.
    name: '0402_setup_link_can_add_numbers',
    async up(db) {
      await db.schema
        .alterTable('setup_links')
        .addColumn('can_add_numbers', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
];
