import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { countryTimeZone } from './country-time-zone.ts';
import { normalizePhone } from './normalize-phone.ts';

const PAGE = 1000;

/**
 * Gives a country and a time zone to the tenant's contacts that have none: those who wrote first, or
 * came from another system, rather than from an import. Read from the wa_id (E.164 digits), in keyset
 * pages, so planning can put every contact in its own sending hours. Returns how many were filled.
 */
export async function fillContactZones(db: Kysely<Database>, tenantId: string, now: number): Promise<number> {
  let filled = 0;
  let afterId = '';
  for (;;) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'wa_id'])
      .where('tenant_id', '=', tenantId)
      .where('time_zone', 'is', null)
      .where('wa_id', 'is not', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return filled;
    afterId = rows[rows.length - 1]!.id;
    const byZone = new Map<string, { country: string; ids: string[] }>();
    for (const row of rows) {
      const phone = normalizePhone(`+${row.wa_id}`, null);
      const zone = phone.ok ? countryTimeZone(phone.country) : null;
      if (!phone.ok || !zone || !phone.country) continue;
      const key = `${phone.country}|${zone}`;
      const group = byZone.get(key) ?? { country: phone.country, ids: [] };
      group.ids.push(row.id);
      byZone.set(key, group);
    }
    for (const [key, group] of byZone) {
      await db
        .updateTable('contacts')
        .set({ country: group.country, time_zone: key.split('|')[1]!, updated_at: now })
        .where('id', 'in', group.ids)
        .where('time_zone', 'is', null)
        .execute();
      filled += group.ids.length;
    }
    if (rows.length < PAGE) return filled;
  }
}
