import { describe, expect, it } from 'vitest';
import { decideEntitlement, type EntitlementInput } from './app-entitlement.ts';

const base: EntitlementInput = {
  appId: 'app-a',
  appTenantId: 'tenant-a',
  isPlatformApp: false,
  ownerTenantId: 'tenant-a',
  connectedAppId: 'app-a',
  isConnectedThroughPlatform: false,
};

describe('decideEntitlement', () => {
  it.each<[string, Partial<EntitlementInput>, string | null]>([
    ['a tenant’s app, for its own number', {}, null],
    [
      'a tenant’s app, for its own number connected through Coxcox',
      { connectedAppId: 'platform', isConnectedThroughPlatform: true },
      null,
    ],
    ['a tenant’s app, for another tenant’s number', { ownerTenantId: 'tenant-b' }, 'other_tenant_app'],
    ['an app no longer connected', { appTenantId: null }, 'unknown_app'],
    ['a delivery with no app', { appId: null }, 'no_app'],
    [
      'the platform app, for a number connected through it',
      {
        appId: 'platform',
        appTenantId: 'default',
        isPlatformApp: true,
        ownerTenantId: 'tenant-b',
        connectedAppId: 'platform',
        isConnectedThroughPlatform: true,
      },
      null,
    ],
    [
      'the platform app, for a WABA connected without naming an app',
      {
        appId: 'platform',
        appTenantId: 'default',
        isPlatformApp: true,
        ownerTenantId: 'tenant-b',
        connectedAppId: null,
      },
      null,
    ],
    [
      'the platform app, when its row is gone (its id comes from configuration)',
      {
        appId: 'platform',
        appTenantId: null,
        isPlatformApp: true,
        ownerTenantId: 'tenant-b',
        connectedAppId: null,
      },
      null,
    ],
    [
      'the platform app, for a WABA connected through a tenant’s own app',
      {
        appId: 'platform',
        appTenantId: 'default',
        isPlatformApp: true,
        ownerTenantId: 'tenant-b',
        connectedAppId: 'app-b',
      },
      'connected_through_other_app',
    ],
  ])('%s', (_name, change, reason) => {
    const decision = decideEntitlement({ ...base, ...change });
    expect(decision.isEntitled ? null : decision.reason).toBe(reason);
  });
});
