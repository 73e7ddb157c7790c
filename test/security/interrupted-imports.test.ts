import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContacts, LostImportLeaseError } from '../../src/contacts/import-contacts.ts';
import { SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { admin, type CampaignHarness, startCampaignCoxcox } from '../campaigns/campaign-harness.ts';
import { testDatabases } from '../support/databases.ts';
import { waitFor } from '../support/simulated-coxcox.ts';

const databases = await testDatabases();
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

/** A CSV of `count` valid São Paulo mobile numbers. */
const csv = (count: number, offset: number) =>
  [
    'phone,name',
    ...Array.from({ length: count }, (_, index) => `+55119${30_000_000 + offset + index},Cliente ${index}`),
    '',
  ].join('\r\n');

// Issue 10: an import sat at "running" for about ten minutes after kill -9, and an upload killed mid-way
// stayed "receiving" forever with its pieces. A crash is simulated by leaving the rows as a dead process
// leaves them; the clock is the campaigns' injected clock, moved instead of waited for.
describe.each(databases)('imports interrupted by a crash on $name', (database) => {
  let harness: CampaignHarness;
  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
  });
  afterAll(async () => harness?.coxcox.dispose());

  const upload = async (body: string) => {
    const response = await harness.coxcox.app.inject({
      method: 'POST',
      url: `/api/v1/imports?tenantId=${SANDBOX_TENANT_ID}&country=BR`,
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: body,
    });
    expect(response.statusCode, response.body).toBe(202);
    return response.json().id as string;
  };
  const show = async (id: string) => (await harness.api('GET', `/imports/${id}`)).json();
  const later = (ms: number) => harness.clock.set(new Date(harness.clock.now() + ms).toISOString());

  // First: the next test starts the workers, which would run this upload's job.
  it('gives up an upload that stored nothing for minutes, with a reason, and deletes its pieces', async () => {
    const id = await upload(csv(10, 10_000));
    // Killed mid-upload: the row still says receiving, its pieces are stored, no job was queued.
    await harness.db.deleteFrom('jobs').where('dedupe_key', '=', id).execute();
    await harness.db
      .updateTable('contact_imports')
      .set({ state: 'receiving', updated_at: harness.clock.now() })
      .where('id', '=', id)
      .execute();
    const pieces = () =>
      harness.db.selectFrom('contact_import_chunks').select('seq').where('import_id', '=', id).execute();
    expect(await pieces()).not.toHaveLength(0);

    later(2 * MINUTE_MS);
    await harness.coxcox.campaigns.runOnce();
    expect((await show(id)).state).toBe('receiving');

    later(4 * MINUTE_MS);
    await harness.coxcox.campaigns.runOnce();
    const shown = await show(id);
    expect(shown.state).toBe('failed');
    expect(shown.problem).toContain('upload the file again');
    expect(await pieces()).toHaveLength(0);
  });

  it('stops a slow run that was taken over: its next batch is rolled back, so nothing counts twice', async () => {
    const body = csv(1500, 20_000);
    const id = await upload(body);
    await harness.db.deleteFrom('jobs').where('dedupe_key', '=', id).execute();
    await harness.db
      .updateTable('contact_imports')
      .set({ state: 'running', run_id: 'run_slow', updated_at: harness.clock.now() })
      .where('id', '=', id)
      .execute();
    later(31 * SECOND_MS);
    await harness.coxcox.campaigns.runOnce();
    expect(await show(id)).toMatchObject({ state: 'completed', rowsRead: 1500, imported: 1500 });

    // The slow run wakes up and commits its next batch: refused, and rolled back.
    await harness.db.updateTable('contact_imports').set({ state: 'running' }).where('id', '=', id).execute();
    await expect(
      importContacts(
        harness.db,
        (async function* () {
          yield body;
        })(),
        {
          importId: id,
          tenantId: SANDBOX_TENANT_ID,
          kind: 'contacts',
          format: 'csv',
          defaultCountry: 'BR',
          optInSource: null,
          tags: [],
          runId: 'run_slow',
          skipRows: 0,
          now: harness.clock.now,
        },
      ),
    ).rejects.toBeInstanceOf(LostImportLeaseError);
    expect(await show(id)).toMatchObject({ rowsRead: 1500, imported: 1500, merged: 0 });
  });

  it('takes over a running import whose worker died, within its 30 s lease, once the workers run', async () => {
    const id = await upload(csv(2500, 0));
    // The worker claimed the job (a job lock of 10 minutes), marked the import running, and was killed.
    const claimedAt = harness.clock.now();
    // The shared job worker keeps real time, and this test's clock is pinned in the past: the lock must
    // outlast both, as it does in production where they agree.
    const lockedUntil = Math.max(claimedAt, Date.now()) + 10 * MINUTE_MS;
    await harness.db
      .updateTable('jobs')
      .set({
        state: 'running',
        attempts: 1,
        locked_by: 'killed-instance',
        locked_until: lockedUntil,
      })
      .where('dedupe_key', '=', id)
      .execute();
    await harness.db
      .updateTable('contact_imports')
      .set({ state: 'running', started_at: claimedAt, updated_at: claimedAt })
      .where('id', '=', id)
      .execute();

    // Inside the lease, the run may be alive: nobody takes it.
    later(10 * SECOND_MS);
    await harness.coxcox.campaigns.runOnce();
    expect((await show(id)).state).toBe('running');

    // Past it, the sweeper (started with the other workers) hands the job to a live worker at once.
    later(25 * SECOND_MS);
    harness.coxcox.startWorkers();
    await waitFor(
      'the import to be taken over and finish',
      async () => (await show(id)).state === 'completed',
      20_000,
    );
    expect(await show(id)).toMatchObject({ state: 'completed', rowsRead: 2500, imported: 2500, invalid: 0 });
  });
});
