import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import type { KnowledgePassage } from './agent-model.ts';
import { normalizeSearchText } from './normalize-search-text.ts';
import { searchTerms } from './search-terms.ts';
import { splitIntoChunks } from './split-into-chunks.ts';
import './agent-schema.ts';

export const MEDIA_KINDS = ['image', 'document', 'video', 'audio'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface NewKnowledgeDocument {
  title: string;
  /** text/plain or text/markdown; for a media asset, its media type. */
  contentType: string;
  /** The text: searched and given to the agent. For a media asset, a description of it. */
  body: string;
  mediaUrl?: string | null;
  mediaKind?: MediaKind | null;
}

export interface KnowledgeDocumentView {
  id: string;
  tenantId: string;
  title: string;
  contentType: string;
  mediaUrl: string | null;
  mediaKind: string | null;
  chunkCount: number;
  characters: number;
  createdAt: string;
}

export interface MediaAsset {
  id: string;
  title: string;
  mediaUrl: string;
  mediaKind: MediaKind;
}

interface RankedRow {
  document_id: string;
  title: string;
  text: string;
  rank: number;
}

/** Most passages a search returns (the agent gets fewer: they go into every model call of the turn). */
const MAX_RESULTS = 20;

/**
 * A tenant's documents, split into passages and searched with the database's own full-text ranking:
 * SQLite FTS5 with bm25(), or PostgreSQL's tsvector with ts_rank() (DialectFlags.fullTextSearch).
 * Every query is scoped to one tenant. (Embeddings, where a provider has them, are not used yet.)
 */
export class KnowledgeBase {
  private readonly db: Kysely<Database>;
  private readonly flags: DialectFlags;
  private readonly now: () => number;

  constructor(db: Kysely<Database>, flags: DialectFlags, now: () => number = Date.now) {
    this.db = db;
    this.flags = flags;
    this.now = now;
  }

  async add(tenantId: string, input: NewKnowledgeDocument): Promise<KnowledgeDocumentView> {
    const chunks = splitIntoChunks(input.body);
    if (chunks.length === 0 && !input.mediaUrl) {
      throw new AppError('validation_failed', 'the document has no text: send its content');
    }
    if (Boolean(input.mediaUrl) !== Boolean(input.mediaKind)) {
      throw new AppError('validation_failed', 'a media asset needs both mediaUrl and mediaKind');
    }
    // A media asset without a description is still found by its title.
    if (input.mediaUrl && chunks.length === 0) chunks.push(input.title);
    const id = randomUUID();
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('knowledge_documents')
        .values({
          id,
          tenant_id: tenantId,
          title: input.title,
          content_type: input.contentType,
          body: input.body,
          media_url: input.mediaUrl ?? null,
          media_kind: input.mediaKind ?? null,
          chunk_count: chunks.length,
          created_at: now,
        })
        .execute();
      const rows = chunks.map((text, position) => ({
        id: randomUUID(),
        tenant_id: tenantId,
        document_id: id,
        position,
        text,
        // The title is searchable in every passage of its document.
        search_text: normalizeSearchText(`${input.title}\n${text}`),
      }));
      for (let start = 0; start < rows.length; start += 200) {
        const batch = rows.slice(start, start + 200);
        await trx.insertInto('knowledge_chunks').values(batch).execute();
        if (this.flags.fullTextSearch === 'fts5') {
          await trx
            .insertInto('knowledge_chunks_fts')
            .values(batch.map((row) => ({ chunk_id: row.id, search_text: row.search_text })))
            .execute();
        }
      }
    });
    return this.get(tenantId, id);
  }

  async list(tenantId: string): Promise<KnowledgeDocumentView[]> {
    const rows = await this.db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toView);
  }

  async get(tenantId: string, id: string): Promise<KnowledgeDocumentView & { body: string }> {
    const row = await this.db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`knowledge document ${id}`);
    return { ...toView(row), body: row.body };
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('knowledge_documents')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound(`knowledge document ${id}`);
      if (this.flags.fullTextSearch === 'fts5') {
        await trx
          .deleteFrom('knowledge_chunks_fts')
          .where('chunk_id', 'in', (eb) =>
            eb.selectFrom('knowledge_chunks').select('id').where('document_id', '=', id),
          )
          .execute();
      }
      await trx.deleteFrom('knowledge_chunks').where('document_id', '=', id).execute();
    });
  }

  /** A media asset the agent may send, by document id, or null when this tenant has no such asset. */
  async mediaAsset(tenantId: string, documentId: string): Promise<MediaAsset | null> {
    const row = await this.db
      .selectFrom('knowledge_documents')
      .select(['id', 'title', 'media_url', 'media_kind'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', documentId)
      .executeTakeFirst();
    if (!row?.media_url || !row.media_kind) return null;
    return { id: row.id, title: row.title, mediaUrl: row.media_url, mediaKind: row.media_kind as MediaKind };
  }

  /** The best passages for a query, best first; any word may match, and rarer words weigh more. */
  async search(tenantId: string, query: string, limit = 5): Promise<KnowledgePassage[]> {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const count = Math.min(Math.max(1, limit), MAX_RESULTS);
    const rows =
      this.flags.fullTextSearch === 'fts5'
        ? await this.searchFts5(tenantId, terms, count)
        : await this.searchTsvector(tenantId, terms, count);
    return rows.map((row) => ({
      documentId: row.document_id,
      title: row.title,
      text: row.text,
      score: Number(row.rank),
    }));
  }

  private async searchFts5(tenantId: string, terms: string[], limit: number): Promise<RankedRow[]> {
    // Each term as a quoted prefix ("price"* also finds "prices"), any of them: an OR query ranked by bm25,
    // which is lower for better matches; the sign is flipped so that a higher score is better everywhere.
    const match = terms.map((term) => `"${term}"*`).join(' OR ');
    const result = await sql<RankedRow>`
      select c.document_id, d.title, c.text, -bm25(knowledge_chunks_fts) as rank
      from knowledge_chunks_fts
      join knowledge_chunks c on c.id = knowledge_chunks_fts.chunk_id
      join knowledge_documents d on d.id = c.document_id
      where knowledge_chunks_fts match ${match} and c.tenant_id = ${tenantId}
      order by bm25(knowledge_chunks_fts)
      limit ${limit}`.execute(this.db);
    return result.rows;
  }

  private async searchTsvector(tenantId: string, terms: string[], limit: number): Promise<RankedRow[]> {
    // Prefix terms joined with | (any may match). ts_rank's normalization 1 divides by 1 + log(length),
    // so a long passage does not win merely by being long. Terms are letters and digits only (searchTerms).
    const query = terms.map((term) => `${term}:*`).join(' | ');
    const result = await sql<RankedRow>`
      select c.document_id, d.title, c.text, ts_rank(c.search_vector, to_tsquery('simple', ${query}), 1) as rank
      from knowledge_chunks c
      join knowledge_documents d on d.id = c.document_id
      where c.tenant_id = ${tenantId} and c.search_vector @@ to_tsquery('simple', ${query})
      order by rank desc, c.position
      limit ${limit}`.execute(this.db);
    return result.rows;
  }
}

function toView(row: Database['knowledge_documents']): KnowledgeDocumentView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    title: row.title,
    contentType: row.content_type,
    mediaUrl: row.media_url,
    mediaKind: row.media_kind,
    chunkCount: row.chunk_count,
    characters: row.body.length,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
