/**
 * Whether a webhook event that arrived through one Meta app may change the tenant that owns its number or
 * WABA (decision 0009). The signature proves only who holds the app's secret, and a tenant chooses the
 * secret of an app it registers, so the app must also be entitled to the asset:
 * - a platform app (Coxcox's own: WHATSAPP_APP_ID, SIGNUP_APP_ID or the sandbox app) to every WABA that
 *   was connected through a platform app, or without naming an app (Coxcox then uses its own everywhere);
 * - a tenant-registered app to the WABAs and numbers of the tenant that registered it, and nothing else.
 */

/** Why an event was refused. A closed set, so that it can label a metric. */
export type RefusalReason = 'no_app' | 'unknown_app' | 'other_tenant_app' | 'connected_through_other_app';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'no_app',
  'unknown_app',
  'other_tenant_app',
  'connected_through_other_app',
];

export interface EntitlementInput {
  /** The app whose secret signed the delivery (`webhook_deliveries.app_id`). */
  appId: string | null;
  /** The tenant that registered that app, or null when no app with that id is connected now. */
  appTenantId: string | null;
  isPlatformApp: boolean;
  /** The tenant that owns the event's number (or, for a WABA-level event, its WABA). */
  ownerTenantId: string;
  /** The app the owner's WABA was connected through (`wabas.app_id`); null when none was named. */
  connectedAppId: string | null;
  /** Whether `connectedAppId` is a platform app. */
  isConnectedThroughPlatform: boolean;
}

export type Entitlement = { isEntitled: true } | { isEntitled: false; reason: RefusalReason; detail: string };

export function decideEntitlement(input: EntitlementInput): Entitlement {
  if (input.appId === null)
    return { isEntitled: false, reason: 'no_app', detail: 'the delivery names no Meta app' };
  if (input.isPlatformApp) {
    if (input.connectedAppId === null || input.isConnectedThroughPlatform) return { isEntitled: true };
    return {
      isEntitled: false,
      reason: 'connected_through_other_app',
      detail: `platform app ${input.appId} is not the app the WABA was connected through (${input.connectedAppId})`,
    };
  }
  if (input.appTenantId === null)
    return { isEntitled: false, reason: 'unknown_app', detail: `Meta app ${input.appId} is not connected` };
  if (input.appTenantId !== input.ownerTenantId) {
    return {
      isEntitled: false,
      reason: 'other_tenant_app',
      detail: `Meta app ${input.appId} of tenant ${input.appTenantId} carried an event for tenant ${input.ownerTenantId}`,
    };
  }
  return { isEntitled: true };
}
