import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyGraphError, GraphError } from './graph-error.ts';

describe('classifyGraphError', () => {
  it('classifies by code, not by HTTP status', () => {
    // Rate limits come back as HTTP 400; a parameter error may come back as 500.
    expect(classifyGraphError(130429, 400).category).toBe('retry-later');
    expect(classifyGraphError(131056, 400).category).toBe('retry-later');
    expect(classifyGraphError(100, 500).category).toBe('fix-request');
    expect(classifyGraphError(190, 400).category).toBe('token-invalid');
    expect(classifyGraphError(131047, 500).category).toBe('window-closed');
  });

  it('treats the whole 200–299 permission range as fix-request', () => {
    for (const code of [200, 201, 250, 299])
      expect(classifyGraphError(code, 403).category).toBe('fix-request');
    expect(classifyGraphError(300, 400).category).toBe('fix-request');
    expect(classifyGraphError(300, 502).category).toBe('retry-later');
  });

  it('falls back on the HTTP status for unknown codes and bodies without a code', () => {
    expect(classifyGraphError(424242, 500).category).toBe('retry-later');
    expect(classifyGraphError(424242, 409).category).toBe('fix-request');
    expect(classifyGraphError(null, 429).category).toBe('retry-later');
    expect(classifyGraphError(null, 401).category).toBe('token-invalid');
    expect(classifyGraphError(null, 400).category).toBe('fix-request');
    expect(classifyGraphError(null, null).category).toBe('fix-request');
  });

  it('also knows the maintenance and unavailable codes (131057, 133004) and the experiment hold-out (130472)', () => {
    expect(classifyGraphError(131057, 500).category).toBe('retry-later');
    expect(classifyGraphError(133004, 503).category).toBe('retry-later');
    expect(classifyGraphError(130472, 400).category).toBe('final-for-recipient');
  });
});

describe('GraphError.fromMeta', () => {
  it('keeps everything Meta said', () => {
    const error = GraphError.fromMeta({
      httpStatus: 400,
      code: 131050,
      subcode: 2494010,
      type: 'OAuthException',
      message: '(#131050) User has stopped marketing messages',
      title: 'Marketing stopped',
      details: 'The user has opted out of marketing messages from this business',
      fbtraceId: 'AXsgnV2Cm3ZMGF3dF_cfYIn',
      isTransient: false,
    });
    expect(error.toJSON()).toEqual({
      name: 'GraphError',
      message:
        'Graph API error 131050 (HTTP 400): The user has opted out of marketing messages from this business',
      category: 'final-for-recipient',
      reason: 'meta-error',
      outcome: 'not-sent',
      retryAfterMs: null,
      httpStatus: 400,
      code: 131050,
      subcode: 2494010,
      type: 'OAuthException',
      metaMessage: '(#131050) User has stopped marketing messages',
      title: 'Marketing stopped',
      details: 'The user has opted out of marketing messages from this business',
      fbtraceId: 'AXsgnV2Cm3ZMGF3dF_cfYIn',
      isTransient: false,
      isMarketingOptOut: true,
    });
    expect(error).toBeInstanceOf(Error);
  });

  it('marks a Meta 5xx as an unknown outcome and a 4xx as not sent', () => {
    expect(GraphError.fromMeta({ httpStatus: 500, code: 131000 }).outcome).toBe('unknown');
    expect(GraphError.fromMeta({ httpStatus: 400, code: 130429 }).outcome).toBe('not-sent');
    expect(GraphError.fromMeta({ httpStatus: null, code: 130429 }).outcome).toBe('not-sent');
  });

  it('backs off the pair rate limit 4^X seconds: 1 s, 4 s, 16 s, 64 s … at most 4,096 s', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (attempt) => GraphError.fromMeta({ httpStatus: 400, code: 131056, attempt }).retryAfterMs,
    );
    expect(delays).toEqual([1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 4_096_000, 4_096_000]);
  });

  it('writes out the other backoff series', () => {
    const series = (code: number) =>
      [0, 1, 2].map((attempt) => GraphError.fromMeta({ httpStatus: 400, code, attempt }).retryAfterMs);
    expect(series(130429)).toEqual([1_000, 2_000, 4_000]);
    expect(series(131000)).toEqual([5_000, 10_000, 20_000]);
    expect(series(4)).toEqual([60_000, 120_000, 240_000]);
    expect(series(80007)).toEqual([60_000, 120_000, 240_000]);
    expect(series(131048)).toEqual([3_600_000, 7_200_000, 14_400_000]);
  });

  it('waits longer when Meta asks for longer, never shorter', () => {
    expect(GraphError.fromMeta({ httpStatus: 400, code: 4, retryAfterHintMs: 300_000 }).retryAfterMs).toBe(
      300_000,
    );
    expect(GraphError.fromMeta({ httpStatus: 400, code: 4, retryAfterHintMs: 1_000 }).retryAfterMs).toBe(
      60_000,
    );
    expect(
      GraphError.fromMeta({ httpStatus: 400, code: 100, retryAfterHintMs: 1_000 }).retryAfterMs,
    ).toBeNull();
  });
});

describe('other GraphError sources', () => {
  it('maps transport failures to retry-later with the given outcome', () => {
    const refused = GraphError.transport('connection-failed', 'not-sent', 'refused');
    expect(refused).toMatchObject({ category: 'retry-later', outcome: 'not-sent', retryAfterMs: 1_000 });
    const lost = GraphError.transport('connection-lost', 'unknown', 'reset', { attempt: 3 });
    expect(lost).toMatchObject({ category: 'retry-later', outcome: 'unknown', retryAfterMs: 8_000 });
  });

  it('maps bodiless HTTP statuses', () => {
    expect(GraphError.fromHttpStatus(502, { operation: 'x' })).toMatchObject({
      category: 'retry-later',
      outcome: 'unknown',
    });
    expect(GraphError.fromHttpStatus(429, { operation: 'x', retryAfterHintMs: 30_000 })).toMatchObject({
      category: 'retry-later',
      outcome: 'not-sent',
      retryAfterMs: 30_000,
    });
    expect(GraphError.fromHttpStatus(401, { operation: 'x' }).category).toBe('token-invalid');
    expect(GraphError.fromHttpStatus(403, { operation: 'x' }).category).toBe('fix-request');
  });

  it('caps every series', () => {
    expect(backoffDelayMs({ firstDelayMs: 1_000, factor: 2, maxDelayMs: 60_000 }, 50)).toBe(60_000);
    expect(backoffDelayMs({ firstDelayMs: 1_000, factor: 2, maxDelayMs: 60_000 }, -1)).toBe(1_000);
  });
});
