import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import './campaign-schema.ts';
import { csvField } from '../contacts/index.ts';

export interface FunnelCounts {
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  qualified: number;
  converted: number;
  optedOut: number;
  /** Put on the do-not-contact list after planning. */
  suppressed: number;
  failed: number;
  /** Not sent yet (waiting for sending hours, the cap, or a paused campaign). */
  waiting: number;
}

export interface FunnelRow extends FunnelCounts {
  variant: string;
  failedByReason: Array<{ code: number | null; reason: string | null; count: number }>;
  /** Campaign messages Meta accepted (first messages and follow-ups). */
  messagesSent: number;
  billableMessages: number;
  /** Estimated from the pricing category of each billable status webhook and the tenant's price table. */
  costUsd: number;
}

export interface Funnel {
  variants: FunnelRow[];
  total: FunnelRow;
}

const count = (expression: ReturnType<typeof sql>) =>
  sql<number>`sum(case when ${expression} then 1 else 0 end)`;

/**
 * The funnel per variant and in total, counted per contact (a contact who read counts as sent and
 * delivered too; a `read` without a `delivered`, which Meta sends when the chat is open, counts as
 * delivered). Failures are grouped by Meta's error code.
 */
export async function campaignFunnel(db: Kysely<Database>, campaignId: string): Promise<Funnel> {
  const rows = await db
    .selectFrom('campaign_contacts')
    .select((eb) => [
      'variant',
      eb.fn.countAll<number>().as('targeted'),
      count(sql`sent_at is not null`).as('sent'),
      count(sql`delivered_at is not null or read_at is not null`).as('delivered'),
      count(sql`read_at is not null`).as('read'),
      count(sql`replied_at is not null`).as('replied'),
      count(sql`qualified_at is not null`).as('qualified'),
      count(sql`converted_at is not null`).as('converted'),
      count(sql`opted_out_at is not null`).as('opted_out'),
      count(sql`state = 'suppressed'`).as('suppressed'),
      count(sql`state = 'failed'`).as('failed'),
      count(sql`state = 'queued'`).as('waiting'),
    ])
    .where('campaign_id', '=', campaignId)
    .groupBy('variant')
    .orderBy('variant')
    .execute();
  const failures = await db
    .selectFrom('campaign_contacts')
    .select((eb) => ['variant', 'error_code', 'error_title', eb.fn.countAll<number>().as('count')])
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'failed')
    .groupBy(['variant', 'error_code', 'error_title'])
    .execute();
  const messages = await db
    .selectFrom('campaign_messages')
    .select((eb) => [
      'variant',
      count(sql`sent_at is not null`).as('sent'),
      count(sql`cost_usd is not null`).as('billable'),
      eb.fn.coalesce(eb.fn.sum<number>('cost_usd'), sql<number>`0`).as('cost'),
    ])
    .where('campaign_id', '=', campaignId)
    .groupBy('variant')
    .execute();

  const variants: FunnelRow[] = rows.map((row) => {
    const message = messages.find((candidate) => candidate.variant === row.variant);
    return {
      variant: row.variant,
      targeted: Number(row.targeted),
      sent: Number(row.sent),
      delivered: Number(row.delivered),
      read: Number(row.read),
      replied: Number(row.replied),
      qualified: Number(row.qualified),
      converted: Number(row.converted),
      optedOut: Number(row.opted_out),
      suppressed: Number(row.suppressed),
      failed: Number(row.failed),
      waiting: Number(row.waiting),
      failedByReason: failures
        .filter((failure) => failure.variant === row.variant)
        .map((failure) => ({
          code: failure.error_code,
          reason: failure.error_title,
          count: Number(failure.count),
        }))
        .sort((a, b) => b.count - a.count),
      messagesSent: Number(message?.sent ?? 0),
      billableMessages: Number(message?.billable ?? 0),
      costUsd: Math.round(Number(message?.cost ?? 0) * 10_000) / 10_000,
    };
  });
  const numeric = [
    'targeted',
    'sent',
    'delivered',
    'read',
    'replied',
    'qualified',
    'converted',
    'optedOut',
    'suppressed',
    'failed',
    'waiting',
    'messagesSent',
    'billableMessages',
    'costUsd',
  ] as const;
  const total: FunnelRow = {
    variant: 'all',
    ...(Object.fromEntries(
      numeric.map((key) => [key, variants.reduce((sum, row) => sum + row[key], 0)]),
    ) as Record<(typeof numeric)[number], number>),
    failedByReason: [],
  };
  total.costUsd = Math.round(total.costUsd * 10_000) / 10_000;
  const reasons = new Map<string, { code: number | null; reason: string | null; count: number }>();
  for (const row of variants) {
    for (const failure of row.failedByReason) {
      const key = `${failure.code}|${failure.reason}`;
      const existing = reasons.get(key);
      if (existing) existing.count += failure.count;
      else reasons.set(key, { ...failure });
    }
  }
  total.failedByReason = [...reasons.values()].sort((a, b) => b.count - a.count);
  return { variants, total };
}

const COLUMNS = [
  'targeted',
  'sent',
  'delivered',
  'read',
  'replied',
  'qualified',
  'converted',
  'optedOut',
  'suppressed',
  'failed',
  'waiting',
  'messagesSent',
  'billableMessages',
  'costUsd',
] as const;

/** The funnel as CSV: one row per variant and one for the whole campaign, then failures by reason. */
export function funnelCsv(funnel: Funnel): string {
  const lines = [
    ['variant', ...COLUMNS].join(','),
    ...[...funnel.variants, funnel.total].map((row) =>
      [csvField(row.variant), ...COLUMNS.map((column) => row[column])].join(','),
    ),
    '',
    'variant,error_code,reason,count',
    ...[...funnel.variants].flatMap((row) =>
      row.failedByReason.map((failure) =>
        [csvField(row.variant), csvField(failure.code), csvField(failure.reason), failure.count].join(','),
      ),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
