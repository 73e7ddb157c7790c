/**
 * The dashboard: the React app (built by Vite into dist/, served at `/`), and the routes only it needs:
 * live events over SSE, the inbox list and thread, Connect WhatsApp, the sandbox phone and analytics.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AgentModel } from '../agent/agent-model.ts';
import type { SendOutcome } from '../dispatch/index.ts';
import type { Simulator } from '../simulator/index.ts';
import type { Database } from '../store/schema.ts';
import type { TenantDirectory } from '../tenants/index.ts';
import type { GraphClient } from '../whatsapp/graph/index.ts';
import type { AppliedEvent } from '../whatsapp/index.ts';
import { analyticsRoutes } from './analytics-routes.ts';
import { evaluationRoutes } from './evaluation-routes.ts';
import { eventStreamRoutes } from './event-stream-routes.ts';
import { createGraphTargetFor } from './graph-target-for.ts';
import { inboxRoutes } from './inbox-routes.ts';
import { LiveEventFeed } from './live-event-feed.ts';
import { LiveEvents } from './live-events.ts';
import { publishApiChanges } from './publish-api-changes.ts';
import { sandboxRoutes } from './sandbox-routes.ts';
import { serveDashboard } from './serve-dashboard.ts';
import { whatsappRoutes } from './whatsapp-routes.ts';

export { dashboardMigrations } from './dashboard-migrations.ts';
export { type LiveEvent, LiveEvents } from './live-events.ts';
export { DASHBOARD_DIST } from './serve-dashboard.ts';

export interface DashboardOptions {
  db: Kysely<Database>;
  directory: TenantDirectory;
  graph: GraphClient;
  logger: Logger;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
  defaultAppId: string | null;
  isSandbox: boolean;
  simulator: () => Simulator | null;
  /** The built-in sandbox company: it (or the operator) may switch the simulator's personas, for everyone. */
  sandboxTenantId: string;
  /** The model an evaluation runs against: the offline playbook, or the tenant's configured one. */
  evaluationModel: (tenantId: string, which: 'playbook' | 'configured') => Promise<AgentModel>;
  /** Where the built app is (tests may point elsewhere); src/dashboard/dist by default. */
  distDir?: string;
  now?: () => number;
}

export interface Dashboard {
  live: LiveEvents;
  /** For the inbox worker's after-commit listeners. */
  onApplied(events: AppliedEvent[]): void;
  /** For the dispatcher's after-commit listener. */
  onSendOutcomes(outcomes: SendOutcome[]): void;
  /** Under /api/v1, authenticated. */
  routes(api: FastifyInstance): Promise<void>;
  /** At the root: the app's pages and assets. */
  pages(app: FastifyInstance): Promise<void>;
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const now = options.now ?? Date.now;
  const live = new LiveEvents();
  const feed = new LiveEventFeed(options.db, live, options.logger.child({ worker: 'live' }));
  const graphTargetFor = createGraphTargetFor({
    db: options.db,
    accessTokenFor: (tenantId, wabaId) => options.directory.accessTokenFor(tenantId, wabaId),
    defaultGraphApiUrl: options.defaultGraphApiUrl,
    defaultGraphApiVersion: options.defaultGraphApiVersion,
  });
  return {
    live,
    onApplied: (events) => feed.onApplied(events),
    onSendOutcomes: (outcomes) => feed.onSendOutcomes(outcomes),
    async routes(api) {
      publishApiChanges(api, live);
      await api.register(async (scope) => {
        await eventStreamRoutes(scope, live);
        await inboxRoutes(scope, { db: options.db, graph: options.graph, graphTargetFor, now });
        await whatsappRoutes(scope, {
          db: options.db,
          directory: options.directory,
          graph: options.graph,
          graphTargetFor,
          defaultGraphApiUrl: options.defaultGraphApiUrl,
          defaultGraphApiVersion: options.defaultGraphApiVersion,
          defaultAppId: options.defaultAppId,
          isSandbox: options.isSandbox,
          now,
        });
        await sandboxRoutes(scope, {
          db: options.db,
          simulator: options.simulator,
          sandboxTenantId: options.sandboxTenantId,
        });
        await analyticsRoutes(scope, { db: options.db, now });
        await evaluationRoutes(scope, { modelFor: options.evaluationModel, now });
      });
    },
    pages: (app) => serveDashboard(app, options.distDir ? { distDir: options.distDir } : {}),
  };
}
