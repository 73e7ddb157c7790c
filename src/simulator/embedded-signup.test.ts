import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const APP_ID = '900000000000555';
const APP_SECRET = 'signup-app-secret';
// biome-ignore lint/suspicious/noExplicitAny: Graph answers are read loosely in these tests.
type LooseJson = any;

let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;
let nowMs = Date.parse('2026-03-01T12:00:00Z');

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

async function start(): Promise<Simulator> {
  nowMs = Date.parse('2026-03-01T12:00:00Z');
  receiver = await startWebhookReceiver({ appSecret: APP_SECRET });
  simulator = createSimulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    webhookUrl: receiver.url,
    accessTokens: ['existing-token'],
    clock: { now: () => nowMs },
    seed: 5,
  });
  await simulator.listen();
  return simulator;
}

async function graph(
  path: string,
  options: { token?: string; method?: string; body?: unknown } = {},
): Promise<{ status: number; json: LooseJson }> {
  const response = await fetch(`${simulator!.url}/v23.0/${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, json: await response.json() };
}

const exchange = (code: string, clientId = APP_ID, secret = APP_SECRET) =>
  graph(
    `oauth/access_token?client_id=${clientId}&client_secret=${encodeURIComponent(secret)}&code=${encodeURIComponent(code)}`,
  );
const appToken = `${APP_ID}|${APP_SECRET}`;

describe('Embedded Signup on the simulator', () => {
  it('creates a test WABA, number and templates, and exchanges the code once for a token that sees only them', async () => {
    await start();
    const control = await fetch(`${simulator!.url}/_simulator/embedded-signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessName: 'Acme' }),
    });
    const issued = (await control.json()) as LooseJson;
    expect(issued).toMatchObject({
      expires_in: 30,
      session: { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH' },
    });
    const { waba_id: wabaId, phone_number_id: phoneNumberId } = issued.session.data;

    const token = await exchange(issued.code);
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ token_type: 'bearer', access_token: expect.stringMatching(/^EAAG/) });
    expect(token.json.expires_in).toBeUndefined();
    const accessToken = token.json.access_token as string;

    const numbers = await graph(`${wabaId}/phone_numbers`, { token: accessToken });
    expect(numbers.json.data).toMatchObject([
      { id: phoneNumberId, verified_name: 'Acme', status: 'PENDING', messaging_limit_tier: 'TIER_250' },
    ]);
    const templates = await graph(`${wabaId}/message_templates`, { token: accessToken });
    expect(templates.json.data.map((template: { name: string }) => template.name)).toContain('hello_world');
    expect((await graph(`${wabaId}/subscribed_apps`, { token: accessToken })).json.data).toEqual([]);
    // It sees only the WABA it was granted.
    expect((await graph('100000000000001/phone_numbers', { token: accessToken })).json.error).toMatchObject({
      code: 100,
      error_subcode: 33,
    });

    const debug = await graph(`debug_token?input_token=${accessToken}`, { token: appToken });
    expect(debug.json.data).toMatchObject({
      app_id: APP_ID,
      type: 'BUSINESS_INTEGRATION_SYSTEM_USER',
      is_valid: true,
      expires_at: 0,
      scopes: ['business_management', 'whatsapp_business_management', 'whatsapp_business_messaging'],
    });
    expect(debug.json.data.granular_scopes).toContainEqual({
      scope: 'whatsapp_business_management',
      target_ids: [wabaId],
    });

    const reused = await exchange(issued.code);
    expect(reused.json.error).toMatchObject({ code: 100, error_subcode: 36009 });
  });

  it('refuses a code after 30 s, a wrong app id or secret, and debug_token without the app', async () => {
    const sim = await start();
    const late = sim.issueSignupCode();
    nowMs += 31_000;
    expect((await exchange(late.code)).json.error).toMatchObject({ code: 100, error_subcode: 36007 });
    const fresh = sim.issueSignupCode();
    expect((await exchange(fresh.code, '123')).json.error.code).toBe(101);
    expect((await exchange(fresh.code, APP_ID, 'wrong')).json.error.code).toBe(1);
    expect((await exchange('AQnever-issued')).json.error.code).toBe(100);
    expect((await graph('debug_token?input_token=existing-token')).json.error.code).toBe(190);
    expect((await graph('debug_token?input_token=nonsense', { token: appToken })).json.data).toMatchObject({
      is_valid: false,
      error: { code: 190 },
    });
  });

  it('takes a permission back and expires tokens, in calls and in debug_token', async () => {
    const sim = await start();
    const issued = sim.issueSignupCode({
      isRegistered: true,
      tokenType: 'USER',
      tokenExpiresInSeconds: 3600,
    });
    const accessToken = (await exchange(issued.code)).json.access_token as string;
    const debug = await graph(`debug_token?input_token=${accessToken}`, { token: appToken });
    expect(debug.json.data).toMatchObject({ type: 'USER', expires_at: Math.floor(nowMs / 1000) + 3600 });

    sim.customerSays({ from: '5511900000009', to: issued.phoneNumberId, text: 'Oi' });
    const text = { messaging_product: 'whatsapp', to: '5511900000009', type: 'text', text: { body: 'Olá' } };
    expect(
      (await graph(`${issued.phoneNumberId}/messages`, { token: accessToken, method: 'POST', body: text }))
        .status,
    ).toBe(200);

    await fetch(`${sim.url}/_simulator/access-tokens/revoke-permission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: accessToken, permission: 'whatsapp_business_messaging' }),
    });
    const refused = await graph(`${issued.phoneNumberId}/messages`, {
      token: accessToken,
      method: 'POST',
      body: text,
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe(10);
    expect((await graph(`${issued.wabaId}/phone_numbers`, { token: accessToken })).status).toBe(200);
    expect(
      (await graph(`debug_token?input_token=${accessToken}`, { token: appToken })).json.data.scopes,
    ).not.toContain('whatsapp_business_messaging');

    sim.expireAccessToken(accessToken);
    const expired = await graph(`${issued.wabaId}/phone_numbers`, { token: accessToken });
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect(
      (await graph(`debug_token?input_token=${accessToken}`, { token: appToken })).json.data,
    ).toMatchObject({
      is_valid: false,
      error: { code: 190, subcode: 463 },
    });
  });

  it('sends phone_number_quality_update and account_update webhooks when Meta changes a number or the account', async () => {
    const sim = await start();
    const issued = sim.issueSignupCode();
    const accessToken = (await exchange(issued.code)).json.access_token as string;
    await graph(`${issued.wabaId}/subscribed_apps`, { token: accessToken, method: 'POST' });

    const quality = await fetch(`${sim.url}/_simulator/phone-numbers/${issued.phoneNumberId}/quality`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messagingLimitTier: 'TIER_50' }),
    });
    expect(await quality.json()).toMatchObject({ success: true, event: 'DOWNGRADE' });
    sim.sendAccountUpdate(issued.wabaId, {
      event: 'ACCOUNT_RESTRICTION',
      restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1767225600 }],
    });
    await sim.idle();
    const changes = receiver!.received.flatMap((webhook) =>
      webhook.body.entry.flatMap((entry: LooseJson) => entry.changes),
    );
    expect(receiver!.received.every((webhook) => webhook.isSignatureValid)).toBe(true);
    expect(changes).toContainEqual({
      field: 'phone_number_quality_update',
      value: {
        display_phone_number: issued.displayPhoneNumber.replace(/\D/g, ''),
        event: 'DOWNGRADE',
        current_limit: 'TIER_50',
        old_limit: 'TIER_250',
        max_daily_conversations_per_business: 'TIER_50',
      },
    });
    expect(changes.find((change: LooseJson) => change.field === 'account_update').value.event).toBe(
      'ACCOUNT_RESTRICTION',
    );
    expect(
      (await graph(`${issued.phoneNumberId}?fields=messaging_limit_tier`, { token: accessToken })).json
        .messaging_limit_tier,
    ).toBe('TIER_50');
  });

  it('forgets signup accounts on reset', async () => {
    const sim = await start();
    const issued = sim.issueSignupCode();
    sim.reset();
    expect((await graph(`${issued.wabaId}/phone_numbers`, { token: 'existing-token' })).json.error.code).toBe(
      100,
    );
    expect((await exchange(issued.code)).json.error.code).toBe(100);
  });
});
