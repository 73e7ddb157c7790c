import { describe, expect, it } from 'vitest';
import { chooseBucketMs } from '../../src/dashboard/analytics-routes.ts';
import { LiveEvents } from '../../src/dashboard/live-events.ts';
import { messagePreview } from '../../src/dashboard/message-preview.ts';
import { renderTemplateText, templateText } from '../../src/dashboard/render-template-text.ts';
import { canAgentChange } from '../../src/users/agent-role-policy.ts';
import { hashPassword } from '../../src/users/index.ts';
import { needsRehash, verifyPassword } from '../../src/users/password-hash.ts';
import { readSessionCookie, sessionCookie } from '../../src/users/session-cookie.ts';
import { accountDelayMs, SignInLimiter } from '../../src/users/sign-in-limiter.ts';

describe('password hashes', () => {
  it('are Argon2id PHC strings that verify only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('anything', 'not a hash')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash(hash.replace('m=19456,t=2', 'm=4096,t=1'))).toBe(true);
    // Salted: the same password hashes differently each time.
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Lax, Secure only over https, and parsed strictly', () => {
    expect(sessionCookie('a'.repeat(43), { maxAgeMs: 60_000, isSecure: false })).toBe(
      `coxcox_session=${'a'.repeat(43)}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax`,
    );
    expect(sessionCookie('x'.repeat(43), { maxAgeMs: 1000, isSecure: true })).toContain('; Secure');
    expect(readSessionCookie(`theme=dark; coxcox_session=${'b'.repeat(43)}; other=1`)).toBe('b'.repeat(43));
    expect(readSessionCookie("coxcox_session=' or 1=1 --")).toBeNull();
    expect(readSessionCookie(undefined)).toBeNull();
  });
});

describe('the sign-in limiter', () => {
  const fail = (limiter: SignInLimiter, email: string, client: string, deviceId: string | null = null) => {
    const attempt = limiter.reserve(email, client, deviceId);
    if (!attempt.isAllowed) throw new Error(`refused, retry after ${attempt.retryAfterSeconds} s`);
    attempt.failed();
  };
  const retryAfter = (
    limiter: SignInLimiter,
    email: string,
    client: string,
    deviceId: string | null = null,
  ) => {
    const attempt = limiter.reserve(email, client, deviceId);
    if (!attempt.isAllowed) return attempt.retryAfterSeconds;
    attempt.abandoned();
    return 0;
  };

  it('lets 5 failures through per account, then doubles the wait from 1 s up to 15 minutes', () => {
    expect([0, 4, 5, 6, 7, 14, 15, 40].map(accountDelayMs)).toEqual([
      0, 0, 1000, 2000, 4000, 512_000, 900_000, 900_000,
    ]);
    let now = 1_000_000;
    const limiter = new SignInLimiter(() => now);
    for (let attempt = 0; attempt < 5; attempt += 1) fail(limiter, 'ada@example.com', '10.0.0.1');
    expect(retryAfter(limiter, 'ada@example.com', '10.0.0.2')).toBe(1);
    expect(retryAfter(limiter, 'bo@example.com', '10.0.0.2')).toBe(0);
    now += 1000;
    fail(limiter, 'ada@example.com', '10.0.0.2');
    expect(retryAfter(limiter, 'ada@example.com', '10.0.0.3')).toBe(2);
    now += 2000;
    const right = limiter.reserve('ada@example.com', '10.0.0.3', null);
    if (!right.isAllowed) throw new Error('should be allowed after the wait');
    right.succeeded();
    expect(retryAfter(limiter, 'ada@example.com', '10.0.0.3')).toBe(0);
  });

  it('counts attempts under way, so a burst cannot pass one check together', () => {
    const limiter = new SignInLimiter(() => 1_000_000);
    const burst = Array.from({ length: 30 }, () => limiter.reserve('ada@example.com', '10.0.0.1', null));
    expect(burst.filter((attempt) => attempt.isAllowed)).toHaveLength(5);
  });

  it('gives a known device its own account count, and no client limit', () => {
    let now = 1_000_000;
    const limiter = new SignInLimiter(() => now);
    for (let attempt = 0; attempt < 5; attempt += 1) fail(limiter, 'ada@example.com', '10.0.0.1');
    for (let attempt = 0; attempt < 45; attempt += 1) {
      now += 1;
      fail(limiter, `guess${attempt}@example.com`, '10.0.0.1');
    }
    expect(retryAfter(limiter, 'ada@example.com', '10.0.0.1')).toBeGreaterThan(0);
    expect(retryAfter(limiter, 'someone@example.com', '10.0.0.1')).toBe(15 * 60);
    expect(retryAfter(limiter, 'someone@example.com', '10.0.0.2')).toBe(0);
    expect(retryAfter(limiter, 'ada@example.com', '10.0.0.1', 'device-of-ada')).toBe(0);
    now += 15 * 60_000 + 50;
    expect(retryAfter(limiter, 'someone@example.com', '10.0.0.1')).toBe(0);
  });
});

describe('the agent role', () => {
  it('works the inbox, contacts and campaigns, but changes no settings or people', () => {
    for (const route of [
      '/api/v1/conversations/:id/takeover',
      '/api/v1/conversations/:id/messages',
      '/api/v1/campaigns',
      '/api/v1/contacts/:id/opt-out',
      '/api/v1/imports',
      '/api/v1/templates/sync',
      '/api/v1/sandbox/messages',
    ]) {
      expect(canAgentChange('POST', route), route).toBe(true);
    }
    for (const route of [
      '/api/v1/users',
      '/api/v1/users/:id',
      '/api/v1/tenants/:tenantId/access-tokens',
      '/api/v1/agent/profile',
      '/api/v1/agent/knowledge/:id',
      '/api/v1/whatsapp/connect',
      '/api/v1/templates',
      '/api/v1/evaluations/run',
    ]) {
      expect(canAgentChange('POST', route), route).toBe(false);
    }
  });
});

describe('message previews', () => {
  it("read Meta's inbound objects and our outbound ones", () => {
    expect(messagePreview('text', { type: 'text', text: { body: 'Oi!' } })).toBe('Oi!');
    expect(messagePreview('image', { type: 'image', image: { id: '1', caption: 'Meu carro' } })).toBe(
      '📷 Photo: Meu carro',
    );
    expect(messagePreview('document', { document: { link: 'https://x', filename: 'quote.pdf' } })).toBe(
      '📄 Document: quote.pdf',
    );
    expect(messagePreview('location', { location: { latitude: 1, longitude: 2, name: 'Loja' } })).toBe(
      '📍 Loja',
    );
    expect(
      messagePreview('interactive', {
        interactive: { type: 'button_reply', button_reply: { id: 'y', title: 'Sim' } },
      }),
    ).toBe('Sim');
    expect(messagePreview('template', { template: { name: 'coxcox_offer' } })).toBe('Template: coxcox_offer');
    expect(messagePreview('order', null)).toBe('🛒 Order');
    expect(messagePreview('poll_creation', null)).toBe('Message (poll creation)');
  });

  it('show a template as the customer read it', () => {
    const template = templateText(
      JSON.stringify([
        { type: 'BODY', text: 'Hi {{1}}! {{2}} Would you like to know more?' },
        { type: 'FOOTER', text: 'Reply STOP to stop' },
      ]),
    );
    const sent = {
      template: {
        name: 'coxcox_offer',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '20% off.' },
            ],
          },
        ],
      },
    };
    expect(renderTemplateText(template, sent)).toBe(
      'Hi Ana! 20% off. Would you like to know more?\n\nReply STOP to stop',
    );
    const named = templateText(JSON.stringify([{ type: 'BODY', text: 'Hello {{first_name}}' }]));
    expect(
      renderTemplateText(named, {
        template: {
          components: [
            { type: 'body', parameters: [{ type: 'text', text: 'Bo', parameterName: 'first_name' }] },
          ],
        },
      }),
    ).toBe('Hello Bo');
    expect(renderTemplateText(named, { template: {} })).toBe('Hello {{first_name}}');
  });
});

describe('chart buckets', () => {
  it('are the smallest of 1, 5, 15, 60, 360 or 1440 minutes that give at most 60 points', () => {
    expect(chooseBucketMs(30 * 60_000)).toBe(60_000);
    expect(chooseBucketMs(3 * 60 * 60_000)).toBe(5 * 60_000);
    expect(chooseBucketMs(2 * 24 * 60 * 60_000)).toBe(60 * 60_000);
    expect(chooseBucketMs(365 * 24 * 60 * 60_000)).toBe(24 * 60 * 60_000);
  });
});

describe('the live event hub', () => {
  it('delivers a tenant’s events to that tenant’s listeners only, and survives a broken listener', () => {
    const hub = new LiveEvents();
    const acme: string[] = [];
    const globex: string[] = [];
    const stopAcme = hub.subscribe('acme', (event) => acme.push(event.type));
    hub.subscribe('acme', () => {
      throw new Error('a closed socket');
    });
    hub.subscribe('globex', (event) => globex.push(event.type));
    hub.publish('acme', { type: 'conversation-changed', conversationId: 'c1' });
    expect(acme).toEqual(['conversation-changed']);
    expect(globex).toEqual([]);
    expect(hub.hasListeners('initech')).toBe(false);
    stopAcme();
    expect(hub.listenerCount).toBe(2);
  });
});
