import { describe, expect, it } from 'vitest';
import { versionRetirement } from './graph-api-versions.ts';

const at = (isoDate: string) => Date.parse(`${isoDate}T12:00:00Z`);

describe('versionRetirement', () => {
  it('is quiet until 90 days before Meta retires the version, then warns, then is critical', () => {
    // v23.0: released 29 May 2025, available until 8 Oct 2027 (Meta's changelog).
    expect(versionRetirement('v23.0', at('2027-07-01'))).toMatchObject({ status: 'ok', isEstimate: false });
    const warned = versionRetirement('v23.0', at('2027-07-12'));
    expect(warned.status).toBe('warning');
    expect(new Date(warned.retiresAt!).toISOString()).toBe('2027-10-09T00:00:00.000Z');
    expect(warned.summary).toContain('2027-10-09');
    expect(versionRetirement('v23.0', at('2027-10-09')).status).toBe('critical');
  });

  it('estimates release + 2 years where Meta has not announced the end yet', () => {
    const estimate = versionRetirement('v26.0', at('2026-08-01'));
    expect(estimate).toMatchObject({ status: 'ok', isEstimate: true });
    expect(new Date(estimate.retiresAt!).toISOString()).toBe('2028-07-29T00:00:00.000Z');
    expect(versionRetirement('v26.0', at('2028-05-15')).status).toBe('warning');
  });

  it('says a version it does not know is unknown', () => {
    expect(versionRetirement('v99.0', at('2026-01-01'))).toMatchObject({
      status: 'unknown',
      retiresAt: null,
    });
  });
});
