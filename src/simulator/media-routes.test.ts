import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, DEFAULT_PHONE_NUMBER_ID, type Simulator } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './start-webhook-receiver.ts';

const TOKEN = 'media-token';
let simulator: Simulator | undefined;
let receiver: WebhookReceiver | undefined;
let nowMs = Date.UTC(2025, 0, 1);

async function start(webhookUrl: string | null = null): Promise<Simulator> {
  nowMs = Date.UTC(2025, 0, 1);
  simulator = createSimulator({
    appSecret: 'media-secret',
    webhookUrl,
    accessTokens: [TOKEN],
    seed: 9,
    clock: { now: () => nowMs },
  });
  await simulator.listen();
  return simulator;
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
  simulator = undefined;
  receiver = undefined;
});

const auth = { authorization: `Bearer ${TOKEN}` };
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2_000, 7)]);

async function upload(
  target: Simulator,
  bytes: Buffer,
  type: string,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), 'photo.jpg');
  return fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/media`, {
    method: 'POST',
    headers: auth,
    body: form,
  });
}

describe('media', () => {
  it('uploads, describes, downloads with the token, and deletes', async () => {
    const target = await start();
    const uploaded = await upload(target, jpeg, 'image/jpeg', { type: 'image/jpeg' });
    expect(uploaded.status).toBe(200);
    const { id } = await uploaded.json();
    expect(id).toMatch(/^\d{16}$/);

    const info = await (
      await fetch(`${target.url}/v23.0/${id}?phone_number_id=${DEFAULT_PHONE_NUMBER_ID}`, { headers: auth })
    ).json();
    expect(info).toEqual({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/whatsapp_business\/attachments\/\?mid=/),
      mime_type: 'image/jpeg',
      sha256: createHash('sha256').update(jpeg).digest('hex'),
      file_size: jpeg.length,
      id,
      messaging_product: 'whatsapp',
    });

    expect((await fetch(info.url)).status).toBe(401);
    const download = await fetch(info.url, { headers: auth });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await download.arrayBuffer()).equals(jpeg)).toBe(true);

    // The URL lives 5 minutes of the simulator's clock.
    nowMs += 5 * 60 * 1000 + 1;
    expect((await fetch(info.url, { headers: auth })).status).toBe(404);
    expect((await fetch(info.url.replace(/hash=[^&]+/, 'hash=forged'), { headers: auth })).status).toBe(404);

    const deleted = await fetch(`${target.url}/v23.0/${id}`, { method: 'DELETE', headers: auth });
    expect(await deleted.json()).toEqual({ success: true });
    const gone = await fetch(`${target.url}/v23.0/${id}`, { headers: auth });
    expect((await gone.json()).error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('refuses unsupported types and uploads without a file', async () => {
    const target = await start();
    const html = await upload(target, Buffer.from('<html></html>'), 'text/html');
    expect((await html.json()).error.code).toBe(131053);
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    const noFile = await fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/media`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect((await noFile.json()).error.code).toBe(100);
  });

  it('fails a send whose media id was never uploaded with a 131053 status, and delivers uploaded ones', async () => {
    receiver = await startWebhookReceiver({ appSecret: 'media-secret' });
    const target = await start(receiver.url);
    target.customerSays({ from: '15550006001', text: 'send me the photo' });
    const { id } = await (await upload(target, jpeg, 'image/jpeg')).json();
    for (const mediaId of ['123', id]) {
      const response = await fetch(`${target.url}/v23.0/${DEFAULT_PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          to: '15550006001',
          type: 'image',
          image: { id: mediaId },
        }),
      });
      expect(response.status).toBe(200);
    }
    await target.idle();
    expect(target.state.sent.map((record) => record.statuses)).toEqual([
      ['failed'],
      ['sent', 'delivered', 'read'],
    ]);
    expect(receiver.statuses()[0]?.errors?.[0]?.code).toBe(131053);
  });

  it('lets a customer send media that the business can then download', async () => {
    receiver = await startWebhookReceiver({ appSecret: 'media-secret' });
    const target = await start(receiver.url);
    target.customerSays({
      from: '15550006002',
      media: { type: 'image', bytes: jpeg, mimeType: 'image/jpeg', caption: 'my receipt' },
    });
    const webhooks = receiver;
    await webhooks.waitFor(() => webhooks.messages().length === 1);
    const [message] = webhooks.messages();
    expect(message).toMatchObject({
      type: 'image',
      image: {
        caption: 'my receipt',
        mime_type: 'image/jpeg',
        sha256: createHash('sha256').update(jpeg).digest('base64'),
      },
    });
    const info = await (await fetch(`${target.url}/v23.0/${message.image.id}`, { headers: auth })).json();
    const bytes = Buffer.from(await (await fetch(info.url, { headers: auth })).arrayBuffer());
    expect(bytes.equals(jpeg)).toBe(true);
  });
});
