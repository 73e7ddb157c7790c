import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import './agent-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The spend period of a time: its calendar month in UTC, `YYYY-MM`. */
export function spendPeriod(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

/** Adds one turn's cost to the tenant's month, in one statement (several instances may add at once). */
export async function addSpend(db: Db, tenantId: string, costUsd: number, now: number): Promise<void> {
  await db
    .insertInto('agent_spend')
    .values({ tenant_id: tenantId, period: spendPeriod(now), cost_usd: costUsd, turn_count: 1, updated_at: now })
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
    db.selectFrom('agent_budgets').select('monthly_limit_usd').where('tenant_id', '=', tenantId).executeTakeFirst(),
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

export async function setMonthlyLimit(db: Db, tenantId: string, limitUsd: number | null, now: number): Promise<void> {
  await db
    .insertInto('agent_budgets')
    .values({ tenant_id: tenantId, monthly_limit_usd: limitUsd, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ monthly_limit_usd: limitUsd, updated_at: now }))
    .execute();
}
