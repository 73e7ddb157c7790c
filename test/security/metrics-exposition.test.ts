import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCoxcox } from '../support/coxcox-harness.ts';
import { testDatabases } from '../support/databases.ts';

const databases = await testDatabases();
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/**
 * A sample line of the Prometheus text format: a name, optional labels with escaped values, a value.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
const SAMPLE_LINE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*")*\})? (?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[+-]Inf)(?: -?\d+)?$/;

function invalidLines(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('# HELP ') && !line.startsWith('# TYPE '))
    .filter((line) => !SAMPLE_LINE.test(line));
}

describe.each(databases)('/metrics on $name', (database) => {
  let coxcox: Awaited<ReturnType<typeof startTestCoxcox>>;
  let open: Awaited<ReturnType<typeof startTestCoxcox>>;

  beforeAll(async () => {
    coxcox = await startTestCoxcox(database, { METRICS_TOKEN });
    // A second Coxcox in the same process, alive at once: its metrics must not collide with the first's.
    open = await startTestCoxcox(database);
  });
  afterAll(async () => {
    await coxcox?.dispose();
    await open?.dispose();
  });

  const scrape = async () => {
    const response = await coxcox.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    return response.body;
  };
  const postUnknownApp = (appId: string) =>
    coxcox.app.inject({ method: 'POST', url: `/webhooks/whatsapp/${appId}`, payload: '{}' });

  it('stays valid exposition after a POST for an app id holding a newline', async () => {
    expect((await postUnknownApp('%0Aevil%22%5C')).statusCode).toBe(404);
    const exposition = await scrape();
    expect(exposition).toContain('coxcox_webhook_unknown_app_total');
    expect(invalidLines(exposition)).toEqual([]);
  });

  it('counts every unknown app id under one label value', async () => {
    for (let index = 0; index < 200; index += 1) await postUnknownApp(randomBytes(8).toString('hex'));
    const series = (await scrape())
      .split('\n')
      .filter((line) => line.startsWith('coxcox_webhook_unknown_app_total'));
    expect(series).toEqual([
      expect.stringMatching(/^coxcox_webhook_unknown_app_total\{app="unknown"\} \d+$/),
    ]);
    expect(
      coxcox.metrics.value('coxcox_webhook_unknown_app_total', { app: 'unknown' }),
    ).toBeGreaterThanOrEqual(201);
  });

  it('needs the bearer token when METRICS_TOKEN is set, and is open without it', async () => {
    const bare = await coxcox.app.inject({ method: 'GET', url: '/metrics' });
    expect(bare.statusCode).toBe(401);
    expect(bare.json().error.code).toBe('unauthorized');
    expect(bare.body).not.toContain('coxcox_');
    const wrong = await coxcox.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    expect(wrong.statusCode).toBe(401);
    expect((await open.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('includes the default process metrics, typed', async () => {
    const exposition = await scrape();
    expect(exposition).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(exposition).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(exposition).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(exposition).toMatch(/^# TYPE coxcox_webhook_unknown_app_total counter$/m);
  });
});
