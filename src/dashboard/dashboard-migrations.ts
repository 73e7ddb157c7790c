import type { Migration } from '../store/migrations.ts';

export const dashboardMigrations: Migration[] = [
  {
    // The inbox lists a tenant's conversations by latest activity; without this it sorts all of them.
    name: '0310_conversations_by_activity',
    async up(db) {
      await db.schema
        .createIndex('conversations_tenant_activity')
        .on('conversations')
        .columns(['tenant_id', 'last_message_at', 'id'])
        .execute();
    },
  },
];
