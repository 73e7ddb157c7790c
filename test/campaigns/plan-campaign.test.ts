import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variantBucket, variantFor } from '../../src/campaigns/plan-campaign.ts';
import { sortableId } from '../../src/contacts/sortable-id.ts';
import { testDatabases } from '../support/databases.ts';
import { type CampaignHarness, startCampaignCoxcox } from './campaign-harness.ts';

const databases = await testDatabases();

describe('A/B variants', () => {
  it('split contacts by weight, the same way every time', () => {
    const variants = [
      { name: 'A', weight: 1 },
      { name: 'B', weight: 3 },
    ];
    const counts = { A: 0, B: 0 };
    for (let index = 0; index < 20_000; index += 1)
      counts[variantFor(randomUUID(), variants) as 'A' | 'B'] += 1;
    expect(counts.A / 20_000).toBeGreaterThan(0.22);
    expect(counts.A / 20_000).toBeLessThan(0.28);
    const id = sortableId();
    expect(variantFor(id, variants)).toBe(variantFor(id, variants));
    expect(variantBucket('…-ff')).toBe(255);
    expect(variantFor('…-00', variants)).toBe('A');
  });

  it('makes time-ordered ids', () => {
    const ids = Array.from({ length: 5000 }, () => sortableId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe.each(databases)('planning on $name', (database) => {
  let harness: CampaignHarness;

  beforeAll(async () => {
    harness = await startCampaignCoxcox(database);
  });
  afterAll(async () => harness?.coxcox.dispose());

  it('targets contacts who wrote first in their own time zone, and filters on fields, tags and countries', async () => {
    await harness.customerWrites('12125550100', 'hello'); // New York, no import
    await harness.importFile(
      'phone,name,tags,plan\n+5511987650001,Ana,vip,Gold\n+5511987650002,Bia,vip,Pro\n+5511987650003,Caio,,Gold\n+525512345678,Dani,vip,Gold\n',
    );
    const newYorker = await harness.db
      .selectFrom('contacts')
      .select('id')
      .where('wa_id', '=', '12125550100')
      .executeTakeFirstOrThrow();
    await harness.api('PATCH', `/contacts/${newYorker.id}`, {
      tags: { add: ['vip'] },
      fields: { plan: 'Gold' },
    });
    const created = await harness.api('POST', '/campaigns', {
      name: 'Filters',
      templateId: await harness.templateId('follow_up'),
      parameters: { body: ['name'] },
      audience: { tags: ['vip'], fields: [{ field: 'plan', equals: 'Gold' }], countries: ['BR', 'US'] },
    });
    const id = created.json().id;
    await harness.api('POST', `/campaigns/${id}/launch`);
    await harness.coxcox.campaigns.scheduler.drain();
    const planned = await harness.db
      .selectFrom('campaign_contacts')
      .select(['wa_id', 'time_zone'])
      .where('campaign_id', '=', id)
      .orderBy('wa_id')
      .execute();
    expect(planned).toEqual([
      { wa_id: '12125550100', time_zone: 'America/New_York' },
      { wa_id: '5511987650001', time_zone: 'America/Sao_Paulo' },
    ]);
  });
});
