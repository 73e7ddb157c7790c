import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import type { Audience } from './campaign-definition.ts';

export interface AudienceScope {
  tenantId: string;
  /** Leave out opted-out contacts and do-not-contact numbers; marketing campaigns also Meta's marketing stops. */
  suppression: { isMarketing: boolean } | null;
}

/** A custom field of `contacts.fields` (JSON text) as text, in either database. */
function fieldText(flags: DialectFlags, key: string) {
  const column = sql.ref('contacts.fields');
  const source = flags.jsonReadCast ? sql`cast(${column} as ${sql.raw(flags.jsonReadCast)})` : column;
  return sql<string | null>`(${source} ->> cast(${key} as text))`;
}

/**
 * The SQL condition on `contacts` for an audience: tags (any, all, none), custom field filters and
 * countries, and, unless asked not to, minus opted-out contacts and do-not-contact numbers. Planning
 * inserts what it matches with one INSERT … SELECT.
 */
export function audienceCondition(
  eb: ExpressionBuilder<Database, 'contacts'>,
  flags: DialectFlags,
  audience: Audience,
  scope: AudienceScope,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [
    eb('contacts.tenant_id', '=', scope.tenantId),
    eb('contacts.wa_id', 'is not', null),
  ];
  const hasTag = (tags: string[]) =>
    eb.exists(
      eb
        .selectFrom('contact_tags')
        .select(sql.lit(1).as('one'))
        .whereRef('contact_tags.contact_id', '=', 'contacts.id')
        .where('contact_tags.tag', 'in', tags),
    );
  if (audience.tags && audience.tags.length > 0) conditions.push(hasTag(audience.tags));
  for (const tag of audience.allTags ?? []) conditions.push(hasTag([tag]));
  if (audience.excludeTags && audience.excludeTags.length > 0)
    conditions.push(eb.not(hasTag(audience.excludeTags)));
  if (audience.countries && audience.countries.length > 0) {
    conditions.push(
      eb(
        'contacts.country',
        'in',
        audience.countries.map((country) => country.toUpperCase()),
      ),
    );
  }
  for (const filter of audience.fields ?? []) {
    const value = fieldText(flags, filter.field);
    if (filter.equals !== undefined) conditions.push(sql<SqlBool>`${value} = ${filter.equals}`);
    if (filter.in !== undefined) {
      conditions.push(
        filter.in.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${value} in (${sql.join(filter.in)})`,
      );
    }
    if (filter.exists === true) conditions.push(sql<SqlBool>`${value} is not null`);
    if (filter.exists === false) conditions.push(sql<SqlBool>`${value} is null`);
  }
  if (scope.suppression) {
    conditions.push(eb('contacts.opted_out_at', 'is', null));
    if (scope.suppression.isMarketing) conditions.push(eb('contacts.marketing_opted_out_at', 'is', null));
    conditions.push(
      eb.not(
        eb.exists(
          eb
            .selectFrom('do_not_contact')
            .select(sql.lit(1).as('one'))
            .whereRef('do_not_contact.tenant_id', '=', 'contacts.tenant_id')
            .whereRef('do_not_contact.wa_id', '=', 'contacts.wa_id'),
        ),
      ),
    );
  }
  return eb.and(conditions);
}
