import { routingKeyOfChange } from './parse-webhook.ts';

/**
 * A tenant's view of a raw delivery: the body with only the entries and changes whose events were applied
 * to that tenant (their routing keys, recorded when the delivery was processed). A delivery may batch
 * several tenants' WABAs, and a tenant may see only its own part; the full body is the operator's.
 * Returns null when there is nothing to show (no recorded keys, or a body that is not a JSON object).
 * The result is re-serialized JSON, so not byte for byte what Meta sent.
 */
export function tenantViewOfBody(body: Buffer, routingKeys: ReadonlySet<string> | null): string | null {
  if (routingKeys === null || routingKeys.size === 0) return null;
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.entry)) return null;
  const entries: unknown[] = [];
  for (const entry of parsed.entry) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) continue;
    const changes = entry.changes.filter((change: unknown) =>
      routingKeys.has(routingKeyOfChange(entry, change)),
    );
    if (changes.length > 0) entries.push({ ...entry, changes });
  }
  return JSON.stringify({ ...parsed, entry: entries });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
