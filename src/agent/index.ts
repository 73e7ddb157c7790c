/**
 * The AI sales agent: profiles and model settings, the knowledge base, the turn runner and its tools,
 * and the API for conversations, takeover and the playground.
 */

export { agentMigrations } from './agent-migrations.ts';
export type { AgentModel, AgentProfile, TurnInput, TurnStep } from './agent-model.ts';
export { AGENT_TURN_JOB, AgentTurnRunner, type TurnOutcome } from './agent-turn-runner.ts';
export { AGENT_CALLBACK_DUE_JOB } from './callbacks.ts';
export { type Agent, type CreateAgentOptions, createAgent } from './create-agent.ts';
export { createDefaultModelFactory } from './default-model-factory.ts';
export { KnowledgeBase } from './knowledge-base.ts';
export { type ModelFactory, type ModelSettings, PLAYBOOK_SETTINGS } from './model-settings.ts';
export { redactPersonalData } from './redact-personal-data.ts';
