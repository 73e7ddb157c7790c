import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AgentModel } from './agent-model.ts';
import type { PlaygroundDeps } from './agent-playground.ts';
import type { AgentProfiles } from './agent-profiles.ts';
import type { KnowledgeBase } from './knowledge-base.ts';
import type { ModelSettings } from './model-settings.ts';

/** What the agent's API routes need. */
export interface AgentRouteDeps {
  db: Kysely<Database>;
  profiles: AgentProfiles;
  knowledge: KnowledgeBase;
  modelFor: (settings: ModelSettings) => AgentModel;
  playground: PlaygroundDeps;
  /** Called after a human reply is queued, so the dispatcher looks at once. */
  onQueued: () => void;
  now: () => number;
}
