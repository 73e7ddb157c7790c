import type { AgentModel, ToolResult, TurnInput, TurnStep } from '../agent-model.ts';
import { planTurn } from './plan-turn.ts';

export interface PlaybookOptions {
  /**
   * How many replies in a row may end in "sorry, I did not get that" before a human takes over.
   * Two: a third misunderstanding in a row is worse for the lead than a colleague.
   */
  maxClarifications?: number;
}

const DEFAULT_MAX_CLARIFICATIONS = 2;

/**
 * The offline agent, used when no language model is configured, so that the sandbox works with nothing set.
 * It follows the profile's script (see plan-turn.ts) and speaks English, Spanish and Portuguese.
 *
 * Protocol: the first step of a turn carries every reply and tool call; the playbook does not need the tool
 * results, so the next step answers with nothing and the loop ends. It keeps no state between turns: where
 * the conversation stands is read from `history` (its own earlier replies included) and `leadFields`.
 */
export class PlaybookModel implements AgentModel {
  readonly name = 'playbook';
  readonly #maxClarifications: number;

  constructor(options: PlaybookOptions = {}) {
    this.#maxClarifications = options.maxClarifications ?? DEFAULT_MAX_CLARIFICATIONS;
  }

  async step(
    input: TurnInput,
    previousSteps: Array<{ step: TurnStep; results: ToolResult[] }>,
  ): Promise<TurnStep> {
    if (previousSteps.length > 0) {
      return {
        replies: [],
        toolCalls: [],
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
        model: this.name,
      };
    }
    return planTurn(input, { maxClarifications: this.#maxClarifications });
  }
}
