import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CountryCode } from 'libphonenumber-js/max';
import { AppError, notFound } from '../http/app-error.ts';
import { enqueueJob, PermanentJobError } from '../queue/index.ts';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { csvField } from './csv-field.ts';
import { type ImportProgress, importContacts, LostImportLeaseError } from './import-contacts.ts';
import { isCountryCode } from './normalize-phone.ts';
import { CsvTooLongError } from './parse-csv.ts';
import { JsonTooLongError } from './parse-json-records.ts';
import { ImportFileError } from './read-import-rows.ts';
import {
  CONTACT_IMPORT_JOB,
  STREAMED_RUN,
  type SweepInterruptedImportsOptions,
  type SweepOutcome,
  sweepInterruptedImports,
} from './sweep-interrupted-imports.ts';

export { CONTACT_IMPORT_JOB };

export interface NewImport {
  tenantId: string;
  kind: 'contacts' | 'do_not_contact';
  format: 'csv' | 'json';
  defaultCountry: string | null;
  optInSource: string | null;
  tags: string[];
}

export interface ImportView {
  id: string;
  kind: string;
  format: string;
  state: string;
  defaultCountry: string | null;
  bytes: number;
  rowsRead: number;
  imported: number;
  merged: number;
  /** Merges that replaced a different value; each value is in the merge report. */
  mergeConflicts: number;
  /** Which value a merge keeps: the later row's (a row's over the saved contact's). */
  mergeRule: 'later_row_wins';
  invalid: number;
  problem: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ContactImportsOptions {
  db: Kysely<Database>;
  now: () => number;
  /** Largest upload accepted, in bytes. */
  maxImportBytes: number;
  /** How long one run of the import job may write before giving its worker back (it resumes at once). */
  jobSliceMs: number;
  /** Called when an import job is queued, so the worker looks at once. */
  onQueued: () => void;
  /** When a run or an upload counts as interrupted (see sweep-interrupted-imports.ts). */
  interruption: SweepInterruptedImportsOptions;
}

const CHUNK_BYTES = 1024 * 1024; // 1 MiB per stored piece of an upload
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Contact and do-not-contact imports. An upload is stored in the database in 1 MiB pieces as it streams
 * in (so any instance can run it, and a restart loses nothing), and the API answers with the import id
 * at once; the `contact-import` job then reads it back as a stream, in batches, with its progress on the
 * import row. Invalid rows are kept with their line and reason, for a CSV report.
 */
export class ContactImports {
  private readonly options: ContactImportsOptions;

  constructor(options: ContactImportsOptions) {
    this.options = options;
  }

  /** Stores an upload and queues its job; answers as soon as the bytes are stored. */
  async upload(input: NewImport, body: AsyncIterable<Uint8Array | string>): Promise<ImportView> {
    const id = await this.create(input, 'receiving');
    const { db } = this.options;
    let bytes = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const store = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await db.insertInto('contact_import_chunks').values({ import_id: id, seq, data }).execute();
      // The upload's heartbeat: one that stores nothing for a while is given up by the sweeper.
      await db
        .updateTable('contact_imports')
        .set({ updated_at: this.options.now() })
        .where('id', '=', id)
        .execute();
      seq += 1;
    };
    try {
      for await (const chunk of body) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
        bytes += buffer.length;
        if (bytes > this.options.maxImportBytes) {
          throw new AppError(
            'payload_too_large',
            `imports are limited to ${Math.round(this.options.maxImportBytes / 2 ** 20)} MiB; split the file`,
          );
        }
        pending.push(buffer);
        pendingBytes += buffer.length;
        if (pendingBytes >= CHUNK_BYTES) await store();
      }
      await store();
    } catch (error) {
      await db.deleteFrom('contact_import_chunks').where('import_id', '=', id).execute();
      await db.deleteFrom('contact_imports').where('id', '=', id).execute();
      throw error;
    }
    const now = this.options.now();
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('contact_imports')
        .set({ state: 'queued', bytes, chunk_count: seq, updated_at: now })
        .where('id', '=', id)
        .execute();
      await enqueueJob(trx, { kind: CONTACT_IMPORT_JOB, payload: { importId: id }, dedupeKey: id }, now);
    });
    this.options.onQueued();
    return this.show(input.tenantId, id);
  }

  /** Runs an import from a stream in this process (the CLI), to the end. */
  async runFromStream(
    input: NewImport,
    body: AsyncIterable<Uint8Array | string>,
    onProgress?: (view: ImportView) => void,
  ) {
    const id = await this.create(input, 'running');
    const timer = onProgress
      ? setInterval(() => void this.show(input.tenantId, id).then(onProgress, () => {}), 1000)
      : null;
    try {
      await this.run(id, body, undefined, STREAMED_RUN);
    } finally {
      if (timer) clearInterval(timer);
    }
    return this.show(input.tenantId, id);
  }

  /** The `contact-import` job: runs a slice of the import, and asks to run again until it is done. */
  async runJob(payload: unknown): Promise<void> {
    const importId = (payload as { importId?: string } | null)?.importId;
    if (typeof importId !== 'string') throw new PermanentJobError('contact-import: payload has no importId');
    const { db } = this.options;
    const row = await db
      .selectFrom('contact_imports')
      .selectAll()
      .where('id', '=', importId)
      .executeTakeFirst();
    if (!row || row.state === 'completed' || row.state === 'failed') return;
    const progress = await this.run(
      importId,
      this.storedChunks(importId, row.chunk_count),
      this.options.now() + this.options.jobSliceMs,
      `run_${randomUUID()}`,
    );
    if (progress && !progress.isDone) {
      // Running jobs with this key are asked to run once more when this run ends (see enqueueJob).
      await enqueueJob(
        db,
        { kind: CONTACT_IMPORT_JOB, payload: { importId }, dedupeKey: importId },
        this.options.now(),
      );
      this.options.onQueued();
    }
  }

  /**
   * Takes over imports whose process died: a running one resumes on a live worker, an upload cut short is
   * failed and its pieces deleted. Runs with the import worker, every few seconds.
   */
  async sweepInterrupted(): Promise<SweepOutcome> {
    return sweepInterruptedImports(this.options.db, this.options.now(), this.options.interruption);
  }

  async show(tenantId: string, id: string): Promise<ImportView> {
    const row = await this.options.db
      .selectFrom('contact_imports')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`import ${id}`);
    return toView(row);
  }

  async list(tenantId: string, limit: number): Promise<ImportView[]> {
    const rows = await this.options.db
      .selectFrom('contact_imports')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toView);
  }

  /** The rejected rows as CSV (line, reason, row), read in pages so a large report is never in memory. */
  async *errorReport(tenantId: string, id: string): AsyncGenerator<string> {
    await this.show(tenantId, id);
    yield 'line,reason,row\r\n';
    let afterId = 0;
    for (;;) {
      const rows = await this.options.db
        .selectFrom('contact_import_errors')
        .select(['id', 'line', 'reason', 'raw'])
        .where('import_id', '=', id)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(1000)
        .execute();
      if (rows.length === 0) return;
      afterId = Number(rows[rows.length - 1]!.id);
      yield rows.map((row) => `${row.line},${csvField(row.reason)},${csvField(row.raw ?? '')}\r\n`).join('');
    }
  }

  /**
   * The values merges replaced as CSV (phone, field, kept, keptLine, replaced, replacedLine; an empty
   * replacedLine is the saved contact's value), read in pages like the error report.
   */
  async *mergeReport(tenantId: string, id: string): AsyncGenerator<string> {
    await this.show(tenantId, id);
    yield 'phone,field,kept,keptLine,replaced,replacedLine\r\n';
    let afterId = 0;
    for (;;) {
      const rows = await this.options.db
        .selectFrom('contact_import_merges')
        .selectAll()
        .where('import_id', '=', id)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(1000)
        .execute();
      if (rows.length === 0) return;
      afterId = Number(rows[rows.length - 1]!.id);
      yield rows
        .map(
          (row) =>
            `${csvField(row.wa_id)},${csvField(row.field)},${csvField(row.kept)},${row.kept_line},` +
            `${csvField(row.replaced)},${row.replaced_line ?? ''}\r\n`,
        )
        .join('');
    }
  }

  private async create(input: NewImport, state: string): Promise<string> {
    if (input.defaultCountry !== null && !isCountryCode(input.defaultCountry)) {
      throw new AppError(
        'validation_failed',
        `country: "${input.defaultCountry}" is not an ISO 3166 country code such as BR`,
      );
    }
    const id = `imp_${randomUUID()}`;
    const now = this.options.now();
    await this.options.db
      .insertInto('contact_imports')
      .values({
        id,
        tenant_id: input.tenantId,
        kind: input.kind,
        format: input.format,
        state,
        default_country: input.defaultCountry?.toUpperCase() ?? null,
        opt_in_source: input.optInSource,
        tags: JSON.stringify(input.tags),
        bytes: 0,
        chunk_count: 0,
        rows_read: 0,
        imported: 0,
        merged: 0,
        merge_conflicts: 0,
        invalid: 0,
        problem: null,
        run_id: null,
        created_at: now,
        started_at: state === 'running' ? now : null,
        finished_at: null,
        updated_at: now,
      })
      .execute();
    return id;
  }

  /** Runs (or resumes) an import; null when it failed for good (its row says why). */
  private async run(
    importId: string,
    body: AsyncIterable<Uint8Array | string>,
    deadlineMs: number | undefined,
    runId: string,
  ): Promise<ImportProgress | null> {
    const { db } = this.options;
    const row = await db
      .selectFrom('contact_imports')
      .selectAll()
      .where('id', '=', importId)
      .executeTakeFirstOrThrow();
    const now = this.options.now();
    // The lease: this run owns the import while it renews updated_at (every batch).
    await db
      .updateTable('contact_imports')
      .set({ state: 'running', run_id: runId, started_at: row.started_at ?? now, updated_at: now })
      .where('id', '=', importId)
      .execute();
    let progress: ImportProgress;
    try {
      progress = await importContacts(db, body, {
        importId,
        tenantId: row.tenant_id,
        kind: row.kind === 'do_not_contact' ? 'do_not_contact' : 'contacts',
        format: row.format === 'csv' ? 'csv' : 'json',
        defaultCountry: (row.default_country as CountryCode | null) ?? null,
        optInSource: row.opt_in_source,
        tags: JSON.parse(row.tags) as string[],
        runId,
        skipRows: row.rows_read,
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
        now: this.options.now,
      });
    } catch (error) {
      // Taken over (this run looked dead): the run that took it finishes the import.
      if (error instanceof LostImportLeaseError) return null;
      if (
        error instanceof ImportFileError ||
        error instanceof CsvTooLongError ||
        error instanceof JsonTooLongError
      ) {
        await this.finish(importId, runId, 'failed', error.message);
        return null;
      }
      throw error;
    }
    if (progress.isDone) await this.finish(importId, runId, 'completed', null);
    return progress;
  }

  private async finish(
    importId: string,
    runId: string,
    state: 'completed' | 'failed',
    problem: string | null,
  ): Promise<void> {
    const { db } = this.options;
    const now = this.options.now();
    await db.transaction().execute(async (trx) => {
      const owned = await trx
        .updateTable('contact_imports')
        .set({ state, problem, finished_at: now, updated_at: now })
        .where('id', '=', importId)
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (Number(owned.numUpdatedRows) === 0) return;
      // The file is not needed once read: only its report is kept.
      await trx.deleteFrom('contact_import_chunks').where('import_id', '=', importId).execute();
    });
  }

  private async *storedChunks(importId: string, count: number): AsyncGenerator<Uint8Array> {
    for (let seq = 0; seq < count; seq += 1) {
      const chunk = await this.options.db
        .selectFrom('contact_import_chunks')
        .select('data')
        .where('import_id', '=', importId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (!chunk) throw new PermanentJobError(`import ${importId}: stored piece ${seq} is missing`);
      yield chunk.data;
    }
  }
}

function toView(row: Database['contact_imports']): ImportView {
  return {
    id: row.id,
    kind: row.kind,
    format: row.format,
    state: row.state,
    defaultCountry: row.default_country,
    bytes: row.bytes,
    rowsRead: row.rows_read,
    imported: row.imported,
    merged: row.merged,
    mergeConflicts: row.merge_conflicts,
    mergeRule: 'later_row_wins',
    invalid: row.invalid,
    problem: row.problem,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}
