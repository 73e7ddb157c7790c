import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import '../campaigns/campaign-schema.ts';
import { DEFAULT_CONSENT_SETTINGS, normalizeKeyword } from './consent-settings.ts';

export interface OptOutTextMatcher {
  /** Whether the whole text is an opt-out keyword of some tenant (or of the defaults). Synchronous. */
  matches(text: string): boolean;
  /** Reads every tenant's keywords again. */
  refresh(): Promise<void>;
}

export interface OptOutTextMatcherOptions {
  /** How long the keyword set is used before it is read again (in the background). */
  ttlMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * A lower bound of the normalized length: ASCII letters and digits each stay one character (accents,
 * emoji and punctuation may vanish, so other characters count for nothing). Far cheaper than normalizing.
 */
function asciiAlphanumericCount(text: string, stopAbove: number): number {
  let count = 0;
  for (let index = 0; index < text.length && count <= stopAbove; index += 1) {
    const code = text.charCodeAt(index);
    if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))
      count += 1;
  }
  return count;
}

function longestOf(keywords: Set<string>): number {
  let longest = 0;
  for (const keyword of keywords) longest = Math.max(longest, keyword.replaceAll(' ', '').length);
  return longest;
}

function keywordsOf(lists: Iterable<Record<string, string[]>>): Set<string> {
  const keywords = new Set<string>();
  for (const byLanguage of lists)
    for (const words of Object.values(byLanguage))
      for (const word of words) keywords.add(normalizeKeyword(word));
  keywords.delete('');
  return keywords;
}

/**
 * Webhook intake's test for "this text may be an opt-out": the union of every tenant's opt-out keywords
 * and the defaults, since the tenant of a delivery is not known before the inbox routes it. A false
 * match costs one row (each tenant's own keywords decide at the dispatcher's claim); a keyword added by a
 * tenant is seen within the TTL, as the event hooks see it.
 */
export function createOptOutTextMatcher(
  db: Kysely<Database>,
  options: OptOutTextMatcherOptions = {},
): OptOutTextMatcher {
  const ttlMs = options.ttlMs ?? 30_000; // 30 s, like the event hooks' cache of consent settings
  const now = options.now ?? Date.now;
  let keywords = keywordsOf([DEFAULT_CONSENT_SETTINGS.optOutKeywords]);
  let longest = longestOf(keywords);
  let expiresAt = 0;
  let refreshing: Promise<void> | null = null;

  const refresh = async () => {
    const rows = await db.selectFrom('consent_settings').select('opt_out_keywords').execute();
    keywords = keywordsOf([
      DEFAULT_CONSENT_SETTINGS.optOutKeywords,
      ...rows.map((row) => JSON.parse(row.opt_out_keywords) as Record<string, string[]>),
    ]);
    longest = longestOf(keywords);
    expiresAt = now() + ttlMs;
  };

  return {
    matches(text) {
      if (expiresAt <= now() && refreshing === null) {
        expiresAt = now() + ttlMs; // one refresh at a time, and none again at once if it fails
        refreshing = refresh()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            refreshing = null;
          });
      }
      // Most customer texts are sentences: refused on their length, before the costly normalization.
      if (text.length > 120 || asciiAlphanumericCount(text, longest) > longest) return false;
      const normalized = normalizeKeyword(text);
      return normalized !== '' && normalized.length <= 40 && keywords.has(normalized);
    },
    refresh: () => refresh(),
  };
}
