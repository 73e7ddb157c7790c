/**
 * Statuses only move forward: sent → delivered → read (→ played for voice). `failed` outranks `sent`
 * but not a later success, so a `delivered` that arrives after a `failed` wins, and a late `sent` or
 * `delivered` after `read` is recorded in the history without downgrading the message.
 */
const ranks: Record<string, number> = {
  accepted: 1,
  held_for_quality_assessment: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
  played: 6,
  deleted: 7,
};

export function statusRank(status: string): number {
  return ranks[status] ?? 0;
}
