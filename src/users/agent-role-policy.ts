/**
 * What a user with the agent role may not change: the company's settings and people. Agents work the
 * inbox, contacts and campaigns; admins also manage users, the WhatsApp connection, the agent's profile,
 * model and knowledge, budgets and outbound webhooks. Reading is allowed to both.
 */
const ADMIN_ONLY_CHANGES: RegExp[] = [
  /^\/api\/v1\/tenants(\/|$)/,
  /^\/api\/v1\/users(\/|$)/,
  /^\/api\/v1\/agent\/(profile|model-settings|budget|knowledge)(\/|$)/,
  /^\/api\/v1\/whatsapp(\/|$)/,
  /^\/api\/v1\/consent-settings(\/|$)/,
  /^\/api\/v1\/(webhook-endpoints|outbound-webhooks)(\/|$)/,
  /^\/api\/v1\/templates$/,
  /^\/api\/v1\/evaluations(\/|$)/,
];

/** Whether a signed-in agent may make a change (method and route pattern, e.g. `/api/v1/users/:id`). */
export function canAgentChange(_method: string, routeUrl: string): boolean {
  return !ADMIN_ONLY_CHANGES.some((pattern) => pattern.test(routeUrl));
}
