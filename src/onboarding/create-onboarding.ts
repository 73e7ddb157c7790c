import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.ts';
import type { SecretBox, TenantDirectory } from '../tenants/index.ts';
import type { GraphClient } from '../whatsapp/graph/index.ts';
import { onboardingRoutes } from './onboarding-routes.ts';
import { type AppCredentials, type ConnectionObserved, Onboardings } from './onboardings.ts';
import type { SandboxSignup } from './sandbox-signup.ts';
import { SetupLinks } from './setup-links.ts';
import type { SignupMode } from './setup-page.ts';
import { type CompanyAdminPort, setupRoutes } from './setup-routes.ts';

export interface CreateOnboardingOptions {
  db: Kysely<Database>;
  box: SecretBox;
  directory: TenantDirectory;
  graph: GraphClient;
  logger: Logger;
  now?: () => number;
  graphApiUrl: string;
  graphApiVersion: string;
  /** SECRET_KEY: setup links are signed with a key derived from it. */
  secretKey: Buffer;
  /** Where customers reach Coxcox (PUBLIC_URL): setup links start with it. */
  publicUrl: string;
  /** Coxcox's own Meta app (connected as a tenant's app, with its secret): the code exchange and debug_token use it. */
  signupAppId: string | null;
  /** Meta's Facebook Login for Business configuration of the Embedded Signup (SIGNUP_CONFIG_ID). */
  signupConfigId: string | null;
  /** Sandbox mode: the simulator plays the signup window. */
  sandboxSignup: SandboxSignup | null;
  /** The users domain: the setup page ends by creating the company's first admin. */
  companyAdmin?: CompanyAdminPort;
  syncTemplates?: (tenantId: string, wabaId: string) => Promise<number>;
  onConnected?: (tenantId: string, phoneNumberId: string, observed: ConnectionObserved) => Promise<void>;
  onDisconnected?: (tenantId: string, phoneNumberId: string) => Promise<void>;
}

export interface OnboardingDomain {
  links: SetupLinks;
  onboardings: Onboardings;
  /** Under /api/v1. */
  routes(api: FastifyInstance): Promise<void>;
  /** At the root: the setup page and its calls (the link's token is the credential). */
  publicRoutes(app: FastifyInstance): Promise<void>;
}

/** Assembles onboarding: setup links, the signup page, attempts with resumable steps, manual connections and disconnects. */
export function createOnboarding(options: CreateOnboardingOptions): OnboardingDomain {
  const now = options.now ?? Date.now;
  const { directory } = options;
  const links = new SetupLinks({
    db: options.db,
    key: createHmac('sha256', options.secretKey).update('coxcox setup links').digest(),
    publicUrl: options.publicUrl,
    now,
  });
  const credentialsOf = async (appId: string, tenantId?: string): Promise<AppCredentials | null> => {
    const app = await directory.webhookApp(appId);
    if (!app || (tenantId !== undefined && app.tenantId !== tenantId)) return null;
    return { appId: app.appId, appSecret: app.appSecret };
  };
  const onboardings = new Onboardings({
    db: options.db,
    box: options.box,
    directory,
    graph: options.graph,
    logger: options.logger.child({ domain: 'onboarding' }),
    now,
    graphApiUrl: options.graphApiUrl,
    graphApiVersion: options.graphApiVersion,
    signupApp: async () => (options.signupAppId === null ? null : credentialsOf(options.signupAppId)),
    tenantApp: (tenantId, appId) => credentialsOf(appId, tenantId),
    ...(options.syncTemplates ? { syncTemplates: options.syncTemplates } : {}),
    ...(options.onConnected ? { onConnected: options.onConnected } : {}),
  });
  const signupMode = async (): Promise<SignupMode> => {
    if (options.sandboxSignup) return { kind: 'sandbox' };
    if (options.signupAppId !== null && options.signupConfigId !== null) {
      return {
        kind: 'embedded',
        appId: options.signupAppId,
        configId: options.signupConfigId,
        graphApiVersion: options.graphApiVersion,
      };
    }
    return { kind: 'unconfigured' };
  };
  return {
    links,
    onboardings,
    routes: (api) =>
      onboardingRoutes(api, {
        links,
        onboardings,
        directory,
        db: options.db,
        now,
        ...(options.onDisconnected ? { onDisconnected: options.onDisconnected } : {}),
      }),
    publicRoutes: (app) =>
      setupRoutes(app, {
        links,
        onboardings,
        directory,
        signupMode,
        sandboxSignup: options.sandboxSignup,
        companyAdmin: options.companyAdmin ?? null,
      }),
  };
}
