import type { Kysely, Transaction } from 'kysely';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { addDoNotContact } from './add-do-not-contact.ts';
import { conflictsWithSaved, type MergeConflict, mergeImportRows } from './merge-import-rows.ts';
import { type ImportRecord, type ImportRow, readImportRows } from './read-import-rows.ts';
import { sortableId } from './sortable-id.ts';

export interface ImportContactsOptions {
  importId: string;
  tenantId: string;
  kind: 'contacts' | 'do_not_contact';
  format: 'csv' | 'json';
  defaultCountry: CountryCode | null;
  optInSource: string | null;
  tags: string[];
  /**
   * This run's id on the import row: each batch commits only while the row still names it, so a run that
   * was taken over (its lease lapsed, see sweep-interrupted-imports.ts) stops instead of counting twice.
   */
  runId: string;
  /** Rows a previous run already committed: they are read again but not written again. */
  skipRows: number;
  /**
   * Rows written per transaction (1,000 by default): each commit waits for the disk, so fewer is slower,
   * and a longer transaction holds SQLite's one writer away from webhook intake (about 50 ms at 1,000).
   */
  batchSize?: number;
  /** Stop after the batch that passes this time (epoch ms), so a job gives its worker back; resume later. */
  deadlineMs?: number;
  now: () => number;
}

export interface ImportCounts {
  rowsRead: number;
  imported: number;
  merged: number;
  /** Merges where the rows (or a row and the saved contact) disagreed: each value replaced is in the merge report. */
  mergeConflicts: number;
  invalid: number;
}

export type ImportProgress = { isDone: boolean } & ImportCounts;

/** The import row no longer names this run: another worker took it over. The batch was rolled back. */
export class LostImportLeaseError extends Error {
  constructor(importId: string) {
    super(`import ${importId}: another run took it over`);
    this.name = 'LostImportLeaseError';
  }
}

/**
 * Streams an import file into the database in batches (1,000 rows a transaction by default). Each batch
 * commits its contacts, tags, consent records, rejected rows and the import's counters together, so the
 * counters are exact and a crashed import resumes after the last committed batch without doubling
 * anything. Duplicates (within the file, or with existing contacts) merge into one contact per wa_id:
 * custom fields are merged, tags are added, and a later row's name, explicit time zone and field values
 * win. Every value a merge replaced is kept for the merge report, with both values and their lines.
 */
export async function importContacts(
  db: Kysely<Database>,
  source: AsyncIterable<Uint8Array | string>,
  options: ImportContactsOptions,
): Promise<ImportProgress> {
  const batchSize = options.batchSize ?? 1000;
  const totals: ImportCounts = {
    rowsRead: options.skipRows,
    imported: 0,
    merged: 0,
    mergeConflicts: 0,
    invalid: 0,
  };
  let seen = 0;
  let batch: ImportRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    const counts = await db.transaction().execute((trx) => writeBatch(trx, records, options));
    totals.rowsRead += records.length;
    totals.imported += counts.imported;
    totals.merged += counts.merged;
    totals.mergeConflicts += counts.mergeConflicts;
    totals.invalid += counts.invalid;
  };
  for await (const record of readImportRows(source, options)) {
    seen += 1;
    if (seen <= options.skipRows) continue;
    batch.push(record);
    if (batch.length >= batchSize) {
      await flush();
      if (options.deadlineMs !== undefined && options.now() > options.deadlineMs)
        return { isDone: false, ...totals };
    }
  }
  await flush();
  return { isDone: true, ...totals };
}

async function writeBatch(
  trx: Transaction<Database>,
  records: ImportRecord[],
  options: ImportContactsOptions,
): Promise<Omit<ImportCounts, 'rowsRead'>> {
  const now = options.now();
  const invalid = records.filter((record) => record.row === null);
  if (invalid.length > 0) {
    await trx
      .insertInto('contact_import_errors')
      .values(
        invalid.map((record) => ({
          import_id: options.importId,
          line: record.line,
          reason: record.problem ?? 'invalid row',
          raw: record.raw,
        })),
      )
      .execute();
  }
  const valid = records.flatMap((record) => (record.row ? [{ line: record.line, row: record.row }] : []));
  const rows = valid.map((record) => record.row);
  let imported = 0;
  let merged = 0;
  let mergeConflicts = 0;
  if (options.kind === 'do_not_contact') {
    imported = await addDoNotContact(
      trx,
      options.tenantId,
      rows.map((row) => ({ waId: row.waId, reason: row.reason })),
      { source: 'import', importId: options.importId },
      now,
    );
    merged = rows.length - imported;
  } else if (rows.length > 0) {
    ({ imported, merged, mergeConflicts } = await upsertContacts(trx, valid, options, now));
  }
  // The counters, and the lease renewed (updated_at): the sweeper takes over a run silent for 30 s.
  const owned = await trx
    .updateTable('contact_imports')
    .set((eb) => ({
      rows_read: eb('rows_read', '+', records.length),
      imported: eb('imported', '+', imported),
      merged: eb('merged', '+', merged),
      merge_conflicts: eb('merge_conflicts', '+', mergeConflicts),
      invalid: eb('invalid', '+', invalid.length),
      updated_at: now,
    }))
    .where('id', '=', options.importId)
    .where('run_id', '=', options.runId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (Number(owned.numUpdatedRows) === 0) throw new LostImportLeaseError(options.importId);
  return { imported, merged, mergeConflicts, invalid: invalid.length };
}

async function upsertContacts(
  trx: Transaction<Database>,
  records: Array<{ line: number; row: ImportRow }>,
  options: ImportContactsOptions,
  now: number,
): Promise<{ imported: number; merged: number; mergeConflicts: number }> {
  const { tenantId } = options;
  const { byWaId, conflicts } = mergeImportRows(records);
  let mergeConflicts = [...byWaId.values()].reduce((sum, entry) => sum + entry.conflictingMerges, 0);
  const waIds = [...byWaId.keys()];
  const existing = new Map(
    (
      await trx
        .selectFrom('contacts')
        .select(['id', 'wa_id', 'name', 'fields', 'time_zone', 'country'])
        .where('tenant_id', '=', tenantId)
        .where('wa_id', 'in', waIds)
        .execute()
    ).map((row) => [row.wa_id!, row]),
  );
  const fresh = waIds.filter((waId) => !existing.has(waId));
  const newIds = new Map<string, string>();
  if (fresh.length > 0) {
    const values = fresh.map((waId) => {
      const { row } = byWaId.get(waId)!;
      const id = sortableId(now);
      newIds.set(waId, id);
      return {
        id,
        tenant_id: tenantId,
        wa_id: waId,
        user_id: null,
        name: row.name,
        username: null,
        fields: JSON.stringify(row.fields),
        time_zone: row.timeZone,
        country: row.country,
        created_at: now,
        updated_at: now,
      };
    });
    // A webhook may create one of these contacts meanwhile: the unique key keeps one row, and it is merged below.
    await trx
      .insertInto('contacts')
      .values(values)
      .onConflict((oc) => oc.columns(['tenant_id', 'wa_id']).doNothing())
      .execute();
  }
  const ids = new Map<string, string>();
  const all = await trx
    .selectFrom('contacts')
    .select(['id', 'wa_id', 'name', 'fields', 'time_zone', 'country'])
    .where('tenant_id', '=', tenantId)
    .where('wa_id', 'in', waIds)
    .execute();
  let imported = 0;
  for (const contact of all) {
    const waId = contact.wa_id!;
    ids.set(waId, contact.id);
    if (newIds.get(waId) === contact.id) {
      imported += 1;
      continue;
    }
    const entry = byWaId.get(waId)!;
    const { row } = entry;
    const savedFields = JSON.parse(contact.fields) as Record<string, string>;
    const replaced = conflictsWithSaved(waId, entry, {
      name: contact.name,
      timeZone: contact.time_zone,
      fields: savedFields,
    });
    if (replaced.length > 0) {
      conflicts.push(...replaced);
      mergeConflicts += 1;
    }
    const fields = { ...savedFields, ...row.fields };
    const fieldsJson = JSON.stringify(fields);
    const timeZone = row.isTimeZoneExplicit ? row.timeZone : (contact.time_zone ?? row.timeZone);
    const name = row.name ?? contact.name;
    if (
      fieldsJson !== contact.fields ||
      timeZone !== contact.time_zone ||
      name !== contact.name ||
      contact.country === null
    ) {
      await trx
        .updateTable('contacts')
        .set({
          fields: fieldsJson,
          time_zone: timeZone,
          name,
          country: contact.country ?? row.country,
          updated_at: now,
        })
        .where('id', '=', contact.id)
        .execute();
    }
  }
  const tagRows = [...byWaId.entries()].flatMap(([waId, { row }]) =>
    row.tags.map((tag) => ({ tenant_id: tenantId, contact_id: ids.get(waId)!, tag })),
  );
  // 1,000 rows of 3 values a statement stays far below either database's parameter limit.
  for (let index = 0; index < tagRows.length; index += 1000) {
    await trx
      .insertInto('contact_tags')
      .values(tagRows.slice(index, index + 1000))
      .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
      .execute();
  }
  const consentRows = [...byWaId.entries()].flatMap(([waId, { optIns }]) =>
    optIns.map((optIn) => ({
      tenant_id: tenantId,
      contact_id: ids.get(waId)!,
      kind: 'opt_in',
      scope: 'all',
      source: optIn.source,
      proof: optIn.proof ?? `import ${options.importId}`,
      occurred_at: optIn.at ?? now,
      created_at: now,
    })),
  );
  if (consentRows.length > 0) await trx.insertInto('consent_events').values(consentRows).execute();
  await saveMergeConflicts(trx, options.importId, conflicts);
  return { imported, merged: records.length - imported, mergeConflicts };
}

/** The merge report's rows, in file order (7 values a row: 1,000 a statement stays below both limits). */
async function saveMergeConflicts(
  trx: Transaction<Database>,
  importId: string,
  conflicts: MergeConflict[],
): Promise<void> {
  const values = conflicts
    .toSorted((a, b) => a.keptLine - b.keptLine)
    .map((conflict) => ({
      import_id: importId,
      wa_id: conflict.waId,
      field: conflict.field,
      kept: conflict.kept.slice(0, 500),
      kept_line: conflict.keptLine,
      replaced: conflict.replaced.slice(0, 500),
      replaced_line: conflict.replacedLine,
    }));
  for (let index = 0; index < values.length; index += 1000) {
    await trx
      .insertInto('contact_import_merges')
      .values(values.slice(index, index + 1000))
      .execute();
  }
}
