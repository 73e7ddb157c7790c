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
  {
    // Who wrote a hand-sent reply, so that the thread names the colleague rather than "You (human)".
    name: '0311_outbox_sent_by_user',
    async up(db) {
      await db.schema.alterTable('outbox').addColumn('sent_by_user_id', 'text').execute();
    },
  },
];
