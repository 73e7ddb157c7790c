import { normalizeSearchText } from '../normalize-search-text.ts';

/**
 * What a customer's message is about, for the offline playbook, in order of precedence: a stop request
 * beats everything (it is the law in most countries), a request for a human beats selling, and a clear
 * "not interested" beats "call me later" ("no thanks, maybe later" is a no).
 */
export const INTENTS = [
  'opt_out',
  'human',
  'not_interested',
  'callback',
  'price',
  'question',
  'injection',
  'interested',
  'thanks',
  'greeting',
] as const;
export type Intent = (typeof INTENTS)[number] | 'unknown';

export interface IntentMatch {
  /** The intent that decides the answer; 'unknown' when nothing matched. */
  primary: Intent;
  /** Every intent found, in order of precedence ("Hi! How much is it?" is greeting and price). */
  all: Intent[];
}

/** The message as matched: lowercase, no accents, no apostrophes, punctuation turned into spaces. */
function plainWords(text: string): string {
  return normalizeSearchText(text)
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Single words that opt out only when they are the whole message ("SAIR", not "vou sair mais cedo"). */
const OPT_OUT_WHOLE =
  /^(please )?(stop|stop all|stopall|unsubscribe|opt out|optout|quit|end|cancel|parar|pare|sair|baja|alto|basta|chega|cancelar|descadastrar|remover)( please| por favor)?$/;

const PATTERNS: Record<(typeof INTENTS)[number], RegExp[]> = {
  opt_out: [
    OPT_OUT_WHOLE,
    /\bunsubscribe\b/,
    /\bopt (me )?out\b/,
    /\bstop (messaging|texting|sending|writing|contacting|calling|spamming|bothering)\b/,
    /\b(dont|do not|never) (message|text|contact|write|call|send|bother) (me|us)\b/,
    /\bremove me\b/,
    /\bno more (messages|texts)\b/,
    /\b(darme|dame|dar|denme) de baja\b/,
    /\bno me (escriban|escribas|manden|mandes|envien|envies|contacten|contactes|molesten|molestes)\b/,
    /\b(dejen|deja) de (escribirme|mandarme|enviarme|molestarme|escribir)\b/,
    /\bno quiero (recibir|mas mensajes)\b/,
    /\bnao quero (mais )?(receber|mensage)/,
    /\bnao (me )?(mande|mandem|envie|enviem) mais\b/,
    /\b(parem|para|pare) de me (mandar|enviar|escrever|ligar)\b/,
    /\bme (descadastr|remov|tire da lista)/,
    /\bsair da lista\b/,
  ],
  human: [
    /\bhuman\b/,
    /\b(real|actual) (person|human|agent)\b/,
    /\b(talk|speak|chat) (to|with) (a |an |some)?(one|person|someone|somebody|human|agent|representative|manager|salesperson|consultant)\b/,
    /\b(representative|operator|live agent)\b/,
    /\bhumano\b/,
    /\bpersona (real|de verdad)\b/,
    /\bhablar con (alguien|una persona|un asesor|un humano|un agente|un vendedor|el gerente|un ejecutivo)\b/,
    /\b(asesor|operador|ejecutivo de ventas)\b/,
    /\b(pessoa de verdade|pessoa real|ser humano)\b/,
    /\bfalar com (alguem|uma pessoa|um atendente|um humano|um vendedor|o gerente|um consultor)\b/,
    /\b(atendente|atendimento humano)\b/,
  ],
  not_interested: [
    /\bnot interested\b/,
    /\bno (thanks|thank you|thx)\b/,
    /\b(dont|do not) (want|need) (it|this|that|anything|your|to buy|to hear)\b/,
    /\bnot for me\b/,
    /\bno interest\b/,
    /\bno (me|nos) interesa\b/,
    /\bno (estoy|estamos) interesad/,
    /\bno gracias\b/,
    /\bno (lo|la) necesito\b/,
    /\bno quiero (nada|eso|comprar|gracias)\b/,
    /^no quiero$/,
    /\bnao (tenho|temos) interesse\b/,
    /\bnao (me|nos) interessa\b/,
    /\bnao (estou|estamos) interessad/,
    /\bnao obrigad/,
    /\bnao quero (nada|isso|comprar|obrigad)/,
    /^nao quero$/,
    /\bnao preciso\b/,
    /\bsem interesse\b/,
  ],
  callback: [
    /\bcall (me|us)\b/,
    /\bcall (me |us )?back\b/,
    /\bcallback\b/,
    /\b(ring|phone) me\b/,
    /\bgive me a (call|ring)\b/,
    /\blater\b/,
    /\bbusy\b/,
    /\bnot (now|a good time|right now)\b/,
    /\banother time\b/,
    /\b(talk|speak|write|text|message) (to )?(me )?(tomorrow|later|next week|on (monday|tuesday|wednesday|thursday|friday))\b/,
    /\bllama(me|nos)\b/,
    /\bme (puedes|puede|pueden) llamar\b/,
    /\bllamar(me)? (manana|mas tarde|luego|el lunes|el martes)\b/,
    /\bmas tarde\b/,
    /(?<!hasta )\bluego\b/,
    /\b(estoy|estamos|ando) (ocupad|liad)/,
    /\bahora no\b/,
    /\b(otro|en otro) momento\b/,
    /\b(hablamos|escribeme|escribenos|contactame) (manana|luego|mas tarde|el lunes|la proxima semana)\b/,
    /\bme (ligue|liga|ligar|ligam|ligarem)\b/,
    /\b(pode|podem) me ligar\b/,
    /\bliga(r)? (pra|para) mim\b/,
    /\bmais tarde\b/,
    /\bagora nao\b/,
    /\b(outra hora|outro momento|outro dia)\b/,
    /\b(falamos|me chama|me chame|fala comigo|me escreve) (amanha|depois|mais tarde|segunda|semana que vem)\b/,
    /\b(estou|to|tou|estamos) (ocupad|corrid)/,
  ],
  price: [
    /\bprices?\b/,
    /\bpricing\b/,
    /\bhow much\b/,
    /\bcosts?\b/,
    /\bfees?\b/,
    /\b(quote|discount|cheaper)\b/,
    /\bprecios?\b/,
    /\bcuanto (cuesta|cuestan|vale|valen|sale|salen|es|cobran)\b/,
    /\b(costo|costos|tarifa|tarifas|descuento|mensualidad)\b/,
    /\bprecos?\b/,
    /\bquanto (custa|custam|e|sai|fica|cobram|vale)\b/,
    /\b(valor|valores|custo|custos|mensalidade|desconto|mais barato)\b/,
  ],
  question: [
    /^(what|how|do you|does|did|can|could|is there|are there|is it|which|where|when|why|who)\b/,
    /^(donde|cuando|cual|cuales|tienen|puedo|pueden|por que|quien)\b/,
    /^(o que|qual|quais|onde|quando|voces tem|vcs tem|posso|podem|por que|quem)\b/,
  ],
  // Attempts to talk the agent out of its rules. The playbook has no rules to lose, but it must not take
  // them as an answer either (a lead field that reads "ignore previous instructions").
  injection: [
    /\b(ignore|disregard|forget) (all |the |any |your )?(previous|prior|above|earlier|preceding)? ?(instructions|rules|prompts?)\b/,
    /\b(system prompt|developer mode|jailbreak|dan mode|you are now|act as|pretend (to be|you are))\b/,
    /\b(ignora|olvida) (las |todas las |tus )?(instrucciones|reglas)( anteriores)?\b/,
    /\b(modo desarrollador|modo de desarrollador|ahora eres|prompt del sistema)\b/,
    /\b(ignore|ignora|esqueca) (as |todas as |suas )?(instrucoes|regras)( anteriores)?\b/,
    /\b(modo desenvolvedor|modo de desenvolvedor|agora voce e|prompt do sistema)\b/,
  ],
  interested: [
    /\binterested\b/,
    /\btell me more\b/,
    /\b(sounds good|lets do it|sign me up|i want|i would like|id like)\b/,
    /^(yes|yeah|yep|yup|sure|of course|ok|okay|great|absolutely|definitely)\b/,
    /\b(me|nos) interesa\b/,
    /\b(estoy|estamos) interesad/,
    /\bcuentame( mas)?\b/,
    /\b(quiero|queremos|me gustaria)\b/,
    /^(si|claro|vale|dale|perfecto|genial|por supuesto|bueno)\b/,
    /\b(tenho|temos) interesse\b/,
    /\bme interessa\b/,
    /\b(me conta|me conte|conte|quero saber) mais\b/,
    /\b(quero|queremos|gostaria)\b/,
    /^(sim|claro|com certeza|pode ser|bora|legal|otimo|beleza|fechado|perfeito)\b/,
  ],
  thanks: [/\b(thanks|thank you|thx|ty|cheers)\b/, /\bgracias\b/, /\b(obrigad[oa]|valeu|agradeco)\b/],
  greeting: [
    /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|greetings)\b/,
    /^(hola|buenas|buenos dias|buen dia|buenas tardes|buenas noches|que tal)\b/,
    /^(oi|ola|bom dia|boa tarde|boa noite|e ai|opa)\b/,
  ],
};

/** Drops a negation and the two words after it ("not interested", "não quero agora"). */
function withoutNegations(line: string): string {
  return line.replace(/\b(no|nao|not|dont|never|nunca|nem)( [a-z]+){0,2}/g, ' ').trim();
}

/** The intents of a customer's message (several messages of a burst can be joined with a newline). */
export function matchIntent(text: string): IntentMatch {
  const lines = text
    .split(/\n+/)
    .map(plainWords)
    .filter((line) => line.length > 0);
  const isQuestion = text.includes('?');
  const found = new Set<Intent>();
  for (const intent of INTENTS) {
    // "não quero agora" is not a yes: interest is looked for only outside negated words.
    const candidates = intent === 'interested' ? lines.map(withoutNegations) : lines;
    // Patterns anchored with ^ describe how one message starts, so each line of a burst is tried.
    const isMatch = PATTERNS[intent].some(
      (pattern) => candidates.some((line) => pattern.test(line)) || pattern.test(candidates.join(' ')),
    );
    if (isMatch) found.add(intent);
  }
  if (isQuestion) found.add('question');
  // "no me interesa" also contains "me interesa": the negative wins.
  if (found.has('not_interested')) found.delete('interested');
  const all = INTENTS.filter((intent) => found.has(intent));
  return { primary: all[0] ?? 'unknown', all };
}
