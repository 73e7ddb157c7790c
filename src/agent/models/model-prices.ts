/** USD per million tokens, in and out. */
export interface ModelPrice {
  inputPerMillionUsd: number;
  outputPerMillionUsd: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices, USD per million tokens, from the providers' pricing pages (openai.com/api/pricing and
 * anthropic.com/pricing) at the time of writing. They change: a tenant's settings may override them, and an
 * unknown model costs 0 (its tokens are still recorded, so spend can be computed later).
 * Keys are model ids; a dated id ("gpt-4o-mini-2024-07-18", "claude-3-5-haiku-20241022") and an OpenRouter
 * id ("openai/gpt-4o-mini") use the entry of the longest key they start with.
 */
export const MODEL_PRICES: PriceTable = {
  'gpt-4o': { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 },
  'gpt-4o-mini': { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
  'gpt-4.1': { inputPerMillionUsd: 2, outputPerMillionUsd: 8 },
  'gpt-4.1-mini': { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6 },
  'gpt-4.1-nano': { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.4 },
  'gpt-5': { inputPerMillionUsd: 1.25, outputPerMillionUsd: 10 },
  'gpt-5-mini': { inputPerMillionUsd: 0.25, outputPerMillionUsd: 2 },
  'gpt-5-nano': { inputPerMillionUsd: 0.05, outputPerMillionUsd: 0.4 },
  'claude-3-5-haiku': { inputPerMillionUsd: 0.8, outputPerMillionUsd: 4 },
  'claude-3-7-sonnet': { inputPerMillionUsd: 3, outputPerMillionUsd: 15 },
  'claude-haiku-4-5': { inputPerMillionUsd: 1, outputPerMillionUsd: 5 },
  'claude-sonnet-4': { inputPerMillionUsd: 3, outputPerMillionUsd: 15 },
  'claude-sonnet-4-5': { inputPerMillionUsd: 3, outputPerMillionUsd: 15 },
  'claude-opus-4': { inputPerMillionUsd: 15, outputPerMillionUsd: 75 },
  'claude-opus-4-1': { inputPerMillionUsd: 15, outputPerMillionUsd: 75 },
};

const TOKENS_PER_MILLION = 1_000_000;

/** The price entry for a model id: exact, else the longest key the id (without a vendor/ prefix) starts with. */
export function priceOf(modelId: string, prices: PriceTable = MODEL_PRICES): ModelPrice | null {
  const exact = prices[modelId];
  if (exact) return exact;
  const bare = modelId.slice(modelId.lastIndexOf('/') + 1);
  const key = Object.keys(prices)
    .filter((candidate) => bare === candidate || bare.startsWith(`${candidate}-`))
    .sort((left, right) => right.length - left.length)[0];
  return key ? (prices[key] ?? null) : null;
}

/** What a call cost, in USD; 0 for a model with no known price. */
export function costUsd(
  modelId: string,
  usage: { inputTokens: number; outputTokens: number },
  prices?: PriceTable,
): number {
  const price = priceOf(modelId, prices);
  if (!price) return 0;
  return (
    (usage.inputTokens * price.inputPerMillionUsd + usage.outputTokens * price.outputPerMillionUsd) /
    TOKENS_PER_MILLION
  );
}
