import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hubSignature256 } from './hub-signature.ts';
import { metaJson } from './meta-json.ts';

describe('metaJson', () => {
  it('escapes slashes and every non-ASCII unit as lowercase \\uXXXX, and stays valid JSON', () => {
    const value = { url: 'https://a.b/c', name: 'äöå', emoji: '👍', plain: 'ok "quoted"' };
    const text = metaJson(value);
    expect(text).toBe(
      '{"url":"https:\\/\\/a.b\\/c","name":"\\u00e4\\u00f6\\u00e5","emoji":"\\ud83d\\udc4d","plain":"ok \\"quoted\\""}',
    );
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('hubSignature256', () => {
  it('matches the published test vector', () => {
    // HMAC-SHA256(key "secret", body "test"), from cloud-api-details.md §1.2.
    expect(hubSignature256('test', 'secret')).toBe(
      'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
    );
  });

  it('signs the escaped bytes, not a re-serialization', () => {
    const body = metaJson({ text: 'Olá/1' });
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(hubSignature256(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
    expect(hubSignature256(reserialized, 'k')).not.toBe(hubSignature256(body, 'k'));
  });
});
