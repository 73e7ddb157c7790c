import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './agent-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

let lastPeriod = { name: '', startsAt: 0, endsAt: 0 };

/** The spend period of a time: its calendar month in UTC, `YYYY-MM` (worked out once a month, not per turn). */
export function spendPeriod(now: number): string {
  if (now >= lastPeriod.startsAt && now < lastPeriod.endsAt) return lastPeriod.name;
  const date = new Date(now);
  const startsAt = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const endsAt = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  lastPeriod = { name: date.toISOString().slice(0, 7), startsAt, endsAt };
  return lastPeriod.name;
}

/** Adds one turn's cost to the tenant's month, in one statement (several instances may add at once). */
export async function addSpend(db: Db, tenantId: string, costUsd: number, now: number): Promise<void> {
  await db
    .insertInto('agent_spend')
    .values({
      tenant_id: tenantId,
      period: spendPeriod(now),
      cost_usd: costUsd,
      turn_count: 1,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'period']).doUpdateSet((eb) => ({
        cost_usd: eb('agent_spend.cost_usd', '+', costUsd),
        turn_count: eb('agent_spend.turn_count', '+', 1),
        updated_at: now,
      })),
    )
    .execute();
}

export interface SpendStatus {
  period: string;
  spentUsd: number;
  turnCount: number;
  monthlyLimitUsd: number | null;
  isOverLimit: boolean;
}

export async function spendStatus(db: Db, tenantId: string, now: number): Promise<SpendStatus> {
  const period = spendPeriod(now);
  const [spend, budget] = await Promise.all([
    db
      .selectFrom('agent_spend')
      .select(['cost_usd', 'turn_count'])
      .where('tenant_id', '=', tenantId)
      .where('period', '=', period)
      .executeTakeFirst(),
    db
      .selectFrom('agent_budgets')
      .select('monthly_limit_usd')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst(),
  ]);
  const spentUsd = spend?.cost_usd ?? 0;
  const monthlyLimitUsd = budget?.monthly_limit_usd ?? null;
  return {
    period,
    spentUsd,
    turnCount: spend?.turn_count ?? 0,
    monthlyLimitUsd,
    isOverLimit: monthlyLimitUsd !== null && spentUsd >= monthlyLimitUsd,
  };
}

/** Whether the tenant has spent its monthly limit (false without a limit), in one query: the turn's check. */
export async function isOverSpendLimit(db: Db, tenantId: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('agent_budgets')
    .leftJoin('agent_spend', (join) =>
      join
        .onRef('agent_spend.tenant_id', '=', 'agent_budgets.tenant_id')
        .on('agent_spend.period', '=', spendPeriod(now)),
    )
    .select(['agent_budgets.monthly_limit_usd', 'agent_spend.cost_usd'])
    .where('agent_budgets.tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row || row.monthly_limit_usd === null) return false;
  return (row.cost_usd ?? 0) >= row.monthly_limit_usd;
}

export async function setMonthlyLimit(
  db: Db,
  tenantId: string,
  limitUsd: number | null,
  now: number,
): Promise<void> {
  await db
    .insertInto('agent_budgets')
    .values({ tenant_id: tenantId, monthly_limit_usd: limitUsd, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ monthly_limit_usd: limitUsd, updated_at: now }))
    .execute();
}
