import { sql } from 'kysely';
import type { Migration } from '../store/migrations.ts';
import './agent-schema.ts';

/** The agent's tables (see agent-schema.ts). Forward-only, like every migration. */
export const agentMigrations: Migration[] = [
  {
    name: '0100_agent_profiles_and_spend',
    async up(db) {
      await db.schema
        .createTable('agent_profiles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('campaign_key', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('is_enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('window_closed_template', 'text')
        .addColumn('model_provider', 'text')
        .addColumn('model_base_url', 'text')
        .addColumn('model_name', 'text')
        .addColumn('model_api_key_enc', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('agent_profiles_tenant_campaign', ['tenant_id', 'campaign_key'])
        .execute();
      await db.schema
        .createTable('agent_budgets')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
        .addColumn('monthly_limit_usd', 'double precision')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agent_spend')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('turn_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_spend_pk', ['tenant_id', 'period'])
        .execute();
    },
  },
  {
    name: '0101_agent_knowledge',
    async up(db, flags) {
      await db.schema
        .createTable('knowledge_documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('media_url', 'text')
        .addColumn('media_kind', 'text')
        .addColumn('chunk_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('knowledge_documents_tenant')
        .on('knowledge_documents')
        .columns(['tenant_id', 'created_at'])
        .execute();
      let chunks = db.schema
        .createTable('knowledge_chunks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('search_text', 'text', (c) => c.notNull());
      if (flags.fullTextSearch === 'tsvector') {
        // The 'simple' configuration: no stemming or stop words of one language, since tenants write in many;
        // search_text is already lowercased and stripped of diacritics (normalize-search-text.ts).
        chunks = chunks.addColumn('search_vector', sql`tsvector`, (c) =>
          c.generatedAlwaysAs(sql`to_tsvector('simple', search_text)`).stored(),
        );
      }
      await chunks.execute();
      await db.schema
        .createIndex('knowledge_chunks_document')
        .on('knowledge_chunks')
        .columns(['document_id', 'position'])
        .execute();
      if (flags.fullTextSearch === 'tsvector') {
        await sql`create index knowledge_chunks_search on knowledge_chunks using gin (search_vector)`.execute(
          db,
        );
      } else {
        await sql`create virtual table knowledge_chunks_fts using fts5(search_text, chunk_id unindexed, tokenize = 'unicode61 remove_diacritics 2')`.execute(
          db,
        );
      }
    },
  },
  {
    name: '0102_agent_turns_and_callbacks',
    async up(db) {
      await db.schema
        .createTable('agent_conversation_state')
        .addColumn('conversation_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('cursor_at', 'bigint')
        .addColumn('cursor_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('summarized_until', 'bigint')
        .addColumn('handoff_reason', 'text')
        .addColumn('handoff_summary', 'text')
        .addColumn('handed_off_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agent_turns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('message_ids', 'text', (c) => c.notNull())
        .addColumn('prompt_chars', 'integer', (c) => c.notNull())
        .addColumn('history_lines', 'integer', (c) => c.notNull())
        .addColumn('knowledge_passages', 'integer', (c) => c.notNull())
        .addColumn('steps', 'integer', (c) => c.notNull())
        .addColumn('tool_calls', 'text', (c) => c.notNull())
        .addColumn('replies', 'text', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .addColumn('cost_usd', 'double precision', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('model_latency_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agent_turns_conversation')
        .on('agent_turns')
        .columns(['conversation_id', 'started_at'])
        .execute();
      await db.schema
        .createIndex('agent_turns_tenant')
        .on('agent_turns')
        .columns(['tenant_id', 'started_at'])
        .execute();
      // The agent reads a conversation's queued bubbles every turn (history, pacing), and a takeover withdraws them.
      await db.schema
        .createIndex('outbox_conversation_state')
        .on('outbox')
        .columns(['conversation_id', 'state'])
        .execute();
      await db.schema
        .createTable('agent_callbacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('scheduled_at', 'bigint', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agent_callbacks_due')
        .on('agent_callbacks')
        .columns(['tenant_id', 'state', 'scheduled_at'])
        .execute();
      await db.schema
        .createIndex('agent_callbacks_conversation')
        .on('agent_callbacks')
        .columns(['conversation_id'])
        .execute();
    },
  },
];
