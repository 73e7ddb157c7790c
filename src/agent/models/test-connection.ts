import { generateText } from 'ai';
import { createLanguageModel, type ModelConnectionSettings } from './create-model.ts';
import { ModelError, type ModelErrorCode, toModelError } from './model-error.ts';

export type ConnectionTestResult =
  | { isOk: true; model: string; latencyMs: number; message: string }
  | { isOk: false; model: string | null; latencyMs: number; code: ModelErrorCode; message: string };

const TEST_TIMEOUT_MS = 20_000; // 20 s: a person is waiting for the answer on the dashboard

/**
 * The dashboard's "test connection": one tiny call with the settings as given (no retries), answered in
 * words a tenant can act on ("… answered HTTP 401: Incorrect API key provided (check the API key …)").
 */
export async function testConnection(
  settings: ModelConnectionSettings,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ConnectionTestResult> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  if (settings.provider === 'playbook') {
    return {
      isOk: true,
      model: 'playbook',
      latencyMs: 0,
      message: 'The offline playbook needs no connection.',
    };
  }
  let model: string | null = null;
  try {
    const connection = createLanguageModel(settings);
    model = `${connection.provider}:${connection.modelId}`;
    try {
      const result = await generateText({
        model: connection.languageModel,
        prompt: 'Reply with the single word OK.',
        maxRetries: 0,
        timeout: options.timeoutMs ?? TEST_TIMEOUT_MS,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
      const said = result.text.trim().slice(0, 40);
      return {
        isOk: true,
        model,
        latencyMs: elapsed(),
        message: `${connection.endpoint} answered with ${connection.modelId} in ${elapsed()} ms${said ? `: "${said}"` : ''}.`,
      };
    } catch (error) {
      throw toModelError(error, connection.endpoint, connection.secrets);
    }
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    return { isOk: false, model, latencyMs: elapsed(), code: error.code, message: error.message };
  }
}
