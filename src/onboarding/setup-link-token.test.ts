import { describe, expect, it } from 'vitest';
import { newSetupLinkId, readSetupToken, signSetupToken } from './setup-link-token.ts';

const key = Buffer.alloc(32, 7);

describe('setup link tokens', () => {
  it('round-trips a link id, and fits a URL segment', () => {
    const linkId = newSetupLinkId();
    const token = signSetupToken(key, linkId);
    expect(token.length).toBeLessThan(100);
    expect(readSetupToken(key, token)).toBe(linkId);
  });

  it('refuses a token with another id, another key, or a cut signature', () => {
    const token = signSetupToken(key, newSetupLinkId());
    const [, signature] = token.split('.');
    expect(readSetupToken(key, `${newSetupLinkId()}.${signature}`)).toBeNull();
    expect(readSetupToken(Buffer.alloc(32, 8), token)).toBeNull();
    expect(readSetupToken(key, token.slice(0, -2))).toBeNull();
    expect(readSetupToken(key, `${token}.extra`)).toBeNull();
  });
});
