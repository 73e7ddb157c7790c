import { sql } from 'kysely';
import type { Migration } from '../store/migrations.ts';

/** The webhook tables' later changes (the tables themselves are in the core migrations, 0002). */
export const webhookMigrations: Migration[] = [
  {
    // Decision 0009: events from an app not entitled to their number are kept apart and never applied, and
    // each tenant sees only its own part of a delivery.
    name: '0900_webhook_entitlement_and_tenant_parts',
    async up(db, flags) {
      await db.schema
        .alterTable('webhook_deliveries')
        .addColumn('refused_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('webhook_deliveries').addColumn('refusal', 'text').execute();
      await db.schema
        .createTable('webhook_delivery_tenants')
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('routing_keys', 'text')
        .addPrimaryKeyConstraint('webhook_delivery_tenants_pk', ['delivery_id', 'tenant_id'])
        .execute();
      await db.schema
        .createIndex('webhook_delivery_tenants_tenant')
        .on('webhook_delivery_tenants')
        .columns(['tenant_id', 'delivery_id'])
        .execute();
      // Deliveries processed before: their tenant keeps seeing them, without a body until they are replayed
      // (which parts of a mixed body were whose was not recorded).
      await sql`insert into webhook_delivery_tenants (delivery_id, tenant_id, event_count, routing_keys)
        select id, tenant_id, event_count - unrouted_count, null from webhook_deliveries
        where tenant_id is not null`.execute(db);
      await db.schema
        .createTable('webhook_refusals')
        .addColumn('id', flags.autoIncrementType, (c) => c.primaryKey())
        .addColumn('delivery_id', 'bigint', (c) => c.notNull())
        .addColumn('app_id', 'text')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('waba_id', 'text')
        .addColumn('phone_number_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_refusals_delivery')
        .on('webhook_refusals')
        .columns(['delivery_id'])
        .execute();
    },
  },
];
