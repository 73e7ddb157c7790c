import type { AgentModel } from './agent-model.ts';
import { agentProfileSchema } from './agent-profile-schema.ts';
import { redactPersonalData } from './redact-personal-data.ts';

export interface ConnectionCheck {
  isOk: boolean;
  model: string;
  latencyMs: number;
  reply: string | null;
  error: string | null;
}

/**
 * One small model call, to check a base URL, model name and key before customers meet them. The error
 * text is the provider's, with the key (should a provider echo it) and personal data taken out.
 */
export async function testModelConnection(
  model: AgentModel,
  apiKey: string | null,
  timeoutMs = 20_000,
): Promise<ConnectionCheck> {
  const now = Date.now();
  const started = performance.now();
  try {
    const step = await model.step(
      {
        profile: agentProfileSchema.parse({
          companyName: 'Coxcox connection test',
          allowedTools: ['end_conversation'],
        }),
        summary: null,
        history: [{ speaker: 'customer', text: 'Hello! Please answer with one short word.', at: now }],
        newMessages: [{ speaker: 'customer', text: 'Hello! Please answer with one short word.', at: now }],
        leadFields: {},
        knowledge: [],
        tools: [],
        customerName: null,
        now,
        customerTimeZone: null,
      },
      [],
      AbortSignal.timeout(timeoutMs),
    );
    return {
      isOk: true,
      model: step.model || model.name,
      latencyMs: Math.round(performance.now() - started),
      reply: step.replies.join(' ').slice(0, 200) || null,
      error: null,
    };
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    if (apiKey) message = message.replaceAll(apiKey, '[api key]');
    return {
      isOk: false,
      model: model.name,
      latencyMs: Math.round(performance.now() - started),
      reply: null,
      error: redactPersonalData(message).slice(0, 1000),
    };
  }
}
