/** Characters kept per lead field value: customer text, kept short. */
const MAX_VALUE_CHARS = 300;

/**
 * A lead field value as stored: one line, no control characters, bounded. The value is the customer's
 * text and goes back to the model on later turns, so it must not carry line breaks that could pass for
 * a new instruction block.
 */
export function cleanFieldValue(value: string): string {
  return value
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_VALUE_CHARS);
}

export function parseLeadFields(json: string): Record<string, string> {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, string>)
      : {};
  } catch {
    return {};
  }
}
