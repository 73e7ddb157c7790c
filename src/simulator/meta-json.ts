const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * Serializes a webhook body the way Meta does: `/` escaped as `\/` and every non-ASCII UTF-16 unit as a
 * lowercase `\uXXXX`. Receivers must hash the bytes as received, and this is what catches one that
 * re-serializes the parsed JSON instead (it would hash `/` and `é` unescaped and miss the signature).
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(NON_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
