/** Words that make a "name" look like an instruction rather than a person. */
const INSTRUCTION_LIKE =
  /\b(ignore|disregard|instruction|instructions|system|prompt|assistant|developer|override|jailbreak|pretend|act as|you are|ignora|instrucciones|instrucoes|instruções|sistema)\b/i;

/** Profile names people use that are no name to greet someone by (en, pt, es). */
const NOT_A_NAME = new Set([
  'you',
  'me',
  'i',
  'user',
  'customer',
  'client',
  'unknown',
  'test',
  'whatsapp',
  'voce',
  'você',
  'eu',
  'cliente',
  'usuario',
  'usuário',
  'tu',
  'yo',
  'desconocido',
  'desconhecido',
]);

/**
 * The customer's WhatsApp profile name is text the customer chose, and adapters may put it among the
 * model's instructions ("The customer's name is …"). Only something that looks like a name gets through:
 * one short line of letters, spaces and name punctuation, with no instruction-like words.
 */
export function sanitizeCustomerName(name: string | null): string | null {
  if (!name) return null;
  const clean = name
    .normalize('NFC')
    // A note in brackets is not part of the name: "Ana (work)", "You (sandbox)".
    .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
    .replace(/[^\p{L}\p{M}\p{N} .'’-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '' || clean.length > 60 || INSTRUCTION_LIKE.test(clean)) return null;
  // Profile names that are not a person's name would greet the customer as "Hi, You!".
  if (NOT_A_NAME.has(clean.toLowerCase())) return null;
  return clean;
}
