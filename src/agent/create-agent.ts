import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type JobHandler, PermanentJobError } from '../queue/index.ts';
import type { DialectFlags } from '../store/dialect-flags.ts';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from '../tenants/index.ts';
import type { GraphClient } from '../whatsapp/graph/index.ts';
import type { AppliedEvent, EventHook } from '../whatsapp/index.ts';
import { createAgentEventHook } from './agent-event-hook.ts';
import type { PlaygroundDeps } from './agent-playground.ts';
import { AgentProfiles } from './agent-profiles.ts';
import { agentRoutes } from './agent-routes.ts';
import { AGENT_TURN_JOB, AgentTurnRunner, type AgentTurnRunnerOptions } from './agent-turn-runner.ts';
import { AGENT_CALLBACK_DUE_JOB, callbackDue } from './callbacks.ts';
import { KnowledgeBase } from './knowledge-base.ts';
import type { ModelFactory } from './model-settings.ts';
import { createAgentLogger } from './redact-personal-data.ts';

export interface CreateAgentOptions {
  db: Kysely<Database>;
  flags: DialectFlags;
  box: SecretBox;
  accessTokenFor: (tenantId: string, wabaId: string | null) => Promise<string | null>;
  graph: GraphClient;
  logger: Logger;
  modelFor: ModelFactory;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  /** A burst of customer messages within this gets one reply (1.5 s by default). */
  debounceMs: number;
  /** New messages are in the outbox: wake the dispatcher. */
  onQueued: () => void;
  /** Agent turns are due: wake the job worker. */
  onTurnsDue: () => void;
  /** Tuning of the turn runner (tests and the benchmark). */
  runner?: Partial<
    Pick<
      AgentTurnRunnerOptions,
      | 'replySpacingMs'
      | 'historyLimit'
      | 'knowledgeLimit'
      | 'maxSteps'
      | 'stepTimeoutMs'
      | 'modelDeadlineMs'
      | 'maxMessagesPerTurn'
      | 'deadlineSignal'
    >
  >;
  now?: () => number;
}

export interface Agent {
  profiles: AgentProfiles;
  knowledge: KnowledgeBase;
  runner: AgentTurnRunner;
  /** For the inbox worker's recording transaction: enqueues turns, records opt-outs. */
  eventHook: EventHook;
  /** For the inbox worker's after-commit listeners: wakes the job worker when the debounce has passed. */
  onApplied(events: AppliedEvent[]): void;
  /** Job handlers by kind, for the job worker. */
  jobHandlers: Record<string, JobHandler>;
  /** The agent's routes, for buildApp's apiPlugins. */
  routes(api: FastifyInstance): Promise<void>;
  /** Cancels pending wake-up timers. */
  stop(): void;
}

const turnPayload = z.object({ conversationId: z.string().min(1) });

/** The agent domain, assembled: storage, the turn runner, its webhook hook, job handler and routes. */
export function createAgent(options: CreateAgentOptions): Agent {
  const now = options.now ?? Date.now;
  const logger = createAgentLogger(options.logger);
  const profiles = new AgentProfiles(options.db, options.box, now);
  const knowledge = new KnowledgeBase(options.db, options.flags, now);
  const runner = new AgentTurnRunner({
    db: options.db,
    profiles,
    knowledge,
    modelFor: options.modelFor,
    graph: options.graph,
    accessTokenFor: options.accessTokenFor,
    logger,
    defaultGraphApiUrl: options.defaultGraphApiUrl,
    defaultGraphApiVersion: options.defaultGraphApiVersion,
    onQueued: options.onQueued,
    now,
    ...options.runner,
  });
  const playground: PlaygroundDeps = {
    profiles,
    knowledge,
    modelFor: (settings) => runner.modelFor(settings),
    maxSteps: options.runner?.maxSteps ?? 6,
    stepTimeoutMs: options.runner?.stepTimeoutMs ?? 45_000,
    knowledgeLimit: options.runner?.knowledgeLimit ?? 3,
    now,
  };

  // One timer per debounce window, not one per message: a burst of 1,000 messages wakes the worker once.
  const timers = new Set<NodeJS.Timeout>();
  let latestWakeAt = 0;
  const wakeAfterDebounce = () => {
    const at = now() + options.debounceMs;
    if (at - latestWakeAt < 100) return;
    latestWakeAt = at;
    const timer = setTimeout(() => {
      timers.delete(timer);
      options.onTurnsDue();
    }, options.debounceMs + 5);
    timer.unref();
    timers.add(timer);
  };

  return {
    profiles,
    knowledge,
    runner,
    eventHook: createAgentEventHook({ debounceMs: options.debounceMs, flags: options.flags, now }),
    onApplied(events) {
      let hasMessages = false;
      for (const applied of events) {
        if (applied.isNew && applied.event.kind === 'message-received') hasMessages = true;
      }
      if (!hasMessages) return;
      wakeAfterDebounce();
      options.onQueued(); // an opt-out confirmation may have been queued
    },
    jobHandlers: {
      [AGENT_TURN_JOB]: async (payload) => {
        const parsed = turnPayload.safeParse(payload);
        if (!parsed.success) throw new PermanentJobError(`agent-turn payload: ${parsed.error.message}`);
        await runner.runTurn(parsed.data.conversationId);
      },
      [AGENT_CALLBACK_DUE_JOB]: async (payload) => {
        const callbackId = (payload as { callbackId?: unknown } | null)?.callbackId;
        if (typeof callbackId !== 'string')
          throw new PermanentJobError('agent-callback-due payload: no callbackId');
        await callbackDue(options.db, callbackId, now());
      },
    },
    routes: (api) =>
      agentRoutes(api, {
        db: options.db,
        profiles,
        knowledge,
        modelFor: (settings) => runner.modelFor(settings),
        playground,
        onQueued: options.onQueued,
        now,
      }),
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
