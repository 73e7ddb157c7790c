import type { Kysely } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import { audienceCondition } from './audience-condition.ts';
import type { Audience } from './campaign-definition.ts';
import './campaign-schema.ts';

export interface AudienceCount {
  /** Contacts the audience's filters match. */
  matched: number;
  /** Of those, the ones a campaign may write to: not opted out, not on the do-not-contact list. */
  reachable: number;
}

/**
 * How many contacts an audience reaches, before anything is planned: the wizard and a draft show it, so
 * that nobody launches a campaign to find it targeted no one. Planning counts again at launch (contacts
 * may change in between).
 */
export async function countAudience(
  db: Kysely<Database>,
  flags: DialectFlags,
  input: { tenantId: string; audience: Audience; isMarketing: boolean },
): Promise<AudienceCount> {
  const count = async (suppression: { isMarketing: boolean } | null) =>
    Number(
      (
        await db
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll().as('count'))
          .where((eb) =>
            audienceCondition(eb, flags, input.audience, { tenantId: input.tenantId, suppression }),
          )
          .executeTakeFirstOrThrow()
      ).count,
    );
  const [matched, reachable] = await Promise.all([count(null), count({ isMarketing: input.isMarketing })]);
  return { matched, reachable };
}
