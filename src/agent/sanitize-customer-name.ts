/** Words that make a "name" look like an instruction rather than a person. */
const INSTRUCTION_LIKE =
  /\b(ignore|disregard|instruction|instructions|system|prompt|assistant|developer|override|jailbreak|pretend|act as|you are|ignora|instrucciones|instrucoes|instruções|sistema)\b/i;

/**
 * The customer's WhatsApp profile name is text the customer chose, and adapters may put it among the
 * model's instructions ("The customer's name is …"). Only something that looks like a name gets through:
 * one short line of letters, spaces and name punctuation, with no instruction-like words.
 */
export function sanitizeCustomerName(name: string | null): string | null {
  if (!name) return null;
  const clean = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N} .'’-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '' || clean.length > 60 || INSTRUCTION_LIKE.test(clean)) return null;
  return clean;
}
