import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';

/** A configuration error names the variable to set and what is wrong with it. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export interface WhatsAppQuickStart {
  appId: string;
  appSecret: string;
  verifyToken: string;
  wabaId: string;
  phoneNumberId: string;
  accessToken: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite:<file>` by default, or a postgres:// URL. */
  databaseUrl: string;
  databaseKind: 'sqlite' | 'postgres';
  adminToken: string;
  /** 32 bytes; encrypts secrets at rest (AES-256-GCM). */
  secretKey: Buffer;
  /** Key id stored beside every ciphertext, so the key can be rotated. */
  secretKeyId: string;
  /** Older keys, by id, still accepted for decryption during a rotation. */
  previousSecretKeys: ReadonlyMap<string, Buffer>;
  graphApiUrl: string | undefined;
  graphApiVersion: string;
  /** Set when every WHATSAPP_* variable is given: a default tenant is created or updated at start. */
  whatsapp: WhatsAppQuickStart | undefined;
  /** Sandbox mode: no WhatsApp credentials, so the built-in simulator plays Meta. */
  isSandbox: boolean;
  logLevel: string;
  /** How often the inbox worker looks for stored deliveries when it was not woken. */
  inboxPollIntervalMs: number;
  /**
   * `all`: this instance runs the background workers (webhook processing, jobs, campaigns, health,
   * dispatch). `none`: it only answers HTTP (webhooks are still stored before the 200), and other
   * instances on the same PostgreSQL do the work.
   */
  workers: 'all' | 'none';
  /** The agent answers a burst of customer messages once, this long after the latest. */
  agentDebounceMs: number;
  /** The model's share of an agent turn: past it, or on any model failure, the offline playbook answers. */
  agentModelDeadlineMs: number;
  /** Most messages one agent turn sends. */
  agentMaxMessagesPerTurn: number;
  /** Sandbox mode: the port of the built-in simulator (0: any free port), unless GRAPH_API_URL points elsewhere. */
  simulatorPort: number;
  /**
   * Sandbox mode: whether the simulator's personas (the customers a campaign reaches) answer by themselves
   * (SANDBOX_PERSONAS=on, the default) or only when someone writes for them (off). The Sandbox screen
   * switches it too, and always labels what a persona wrote.
   */
  canSandboxPersonasReply: boolean;
  /** How long the dispatcher waits for a status webhook to settle a send whose outcome was lost, before resending. */
  dispatchReconcileWindowMs: number;
  /** How long a claimed send stays locked before it is presumed lost (a crash) and reconciled. */
  dispatchSendLockMs: number;
  /** Where customers reach Coxcox (PUBLIC_URL): setup links start with it. */
  publicUrl: string;
  /** Coxcox's own Meta app for Embedded Signup (SIGNUP_APP_ID, else WHATSAPP_APP_ID); its secret is the connected app's. */
  signupAppId: string | undefined;
  /** Meta's Facebook Login for Business configuration id of the Embedded Signup (SIGNUP_CONFIG_ID). */
  signupConfigId: string | undefined;
  /** METRICS_TOKEN: when set, GET /metrics needs `Authorization: Bearer <it>` (it lists tenants' app ids). */
  metricsToken: string | undefined;
  /**
   * TRUST_PROXY, Fastify's `trustProxy`: which hops' X-Forwarded-For to believe for the client address
   * (the sign-in limiter keys on it). `false` (default): the socket's peer; `true`: the left-most address;
   * a number: that many hops; a list: addresses and CIDRs of the proxies.
   */
  trustProxy: boolean | number | string[];
  /**
   * ALLOW_PRIVATE_NETWORK_TARGETS: let tenant-chosen URLs (webhook endpoints, per-number Graph URLs, model
   * base URLs) reach loopback and private addresses. Off by default: they are refused (target_refused).
   */
  allowPrivateNetworkTargets: boolean;
  /** Notes about generated secrets, printed once at start. */
  notices: string[];
}

type Env = Record<string, string | undefined>;

/** The Graph client's send timeout (UndiciGraphClient's default): a send lock must outlast it. */
const GRAPH_SEND_TIMEOUT_MS = 15_000; // 15 s

const WHATSAPP_VARIABLES = [
  'WHATSAPP_APP_ID',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_WABA_ID',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_ACCESS_TOKEN',
] as const;

function readPort(env: Env, name = 'PORT'): number {
  const raw = env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, `"${raw}" is not a TCP port; set a whole number from 0 to 65535`);
  }
  return port;
}

function readPositiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(name, `"${raw}" is not a positive whole number`);
  }
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `"${raw}" is not a boolean; set true or false`);
}

function readSandboxPersonas(env: Env): boolean {
  const raw = (env.SANDBOX_PERSONAS ?? '').trim();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError('SANDBOX_PERSONAS', `"${raw}" is neither "on" nor "off"`);
}

function readWorkers(env: Env): 'all' | 'none' {
  const raw = env.WORKERS;
  if (raw === undefined || raw === '' || raw === 'all') return 'all';
  if (raw === 'none') return 'none';
  throw new ConfigError('WORKERS', `"${raw}" is neither "all" nor "none"`);
}

/** proxy-addr's (Fastify's) names for ranges, besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function readTrustProxy(env: Env): boolean | number | string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!PROXY_RANGE_NAMES.includes(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry)) {
      throw new ConfigError(
        'TRUST_PROXY',
        `"${entry}" is not an IP address or CIDR; set true, false, a hop count, or a comma list of proxies' addresses`,
      );
    }
  }
  return entries;
}

function readMetricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN || undefined;
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  }
  return token;
}

/** Reads a secret from the environment, or from DATA_DIR, generating and saving it on first start. */
function readOrCreateSecret(
  env: Env,
  name: 'ADMIN_TOKEN' | 'SECRET_KEY',
  dataDir: string,
  generate: () => string,
  notices: string[],
): string {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = join(dataDir, name.toLowerCase().replace('_', '-'));
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // 0700: the directory holds the secrets and the database, for the server's user only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${generate()}\n`, { mode: 0o600 });
  notices.push(`${name} was not set: generated one and saved it in ${file}`);
  return readFileSync(file, 'utf8').trim();
}

function parseSecretKey(name: string, raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      name,
      'must be 32 bytes, as 64 hex characters or base64 (try: openssl rand -hex 32)',
    );
  }
  return key;
}

function readPublicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL || `http://localhost:${port}`;
  if (!/^https?:\/\/[^/]+/.test(raw) || !URL.canParse(raw)) {
    throw new ConfigError(
      'PUBLIC_URL',
      `"${raw}" must be the http(s) URL customers reach Coxcox at, e.g. https://coxcox.example.com`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/** Parses the environment once; the result is frozen. */
export function parseConfig(env: Env, cwd: string = process.cwd()): Config {
  const notices: string[] = [];
  const port = readPort(env);
  const dataDir = resolve(cwd, env.DATA_DIR || './data');

  const rawDatabaseUrl = env.DATABASE_URL || `sqlite:${join(dataDir, 'coxcox.sqlite')}`;
  let databaseKind: Config['databaseKind'];
  if (/^postgres(ql)?:\/\//.test(rawDatabaseUrl)) databaseKind = 'postgres';
  else if (rawDatabaseUrl.startsWith('sqlite:')) databaseKind = 'sqlite';
  else {
    throw new ConfigError(
      'DATABASE_URL',
      `"${rawDatabaseUrl.replace(/:[^:@/]*@/, ':***@')}" is neither postgres://… nor sqlite:<file>`,
    );
  }

  const adminToken = readOrCreateSecret(
    env,
    'ADMIN_TOKEN',
    dataDir,
    () => `cxa_${randomBytes(24).toString('base64url')}`,
    notices,
  );
  if (adminToken.length < 16) throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters long');
  const secretKey = parseSecretKey(
    'SECRET_KEY',
    readOrCreateSecret(env, 'SECRET_KEY', dataDir, () => randomBytes(32).toString('hex'), notices),
  );
  const previousSecretKeys = new Map<string, Buffer>();
  for (const entry of (env.SECRET_KEY_PREVIOUS ?? '').split(',').filter(Boolean)) {
    const [id, value] = entry.split(':');
    if (!id || !value) throw new ConfigError('SECRET_KEY_PREVIOUS', 'expected a list of keyId:key pairs');
    previousSecretKeys.set(id, parseSecretKey('SECRET_KEY_PREVIOUS', value));
  }
  const secretKeyId = env.SECRET_KEY_ID || 'k1';

  const graphApiUrl = env.GRAPH_API_URL || undefined;
  if (graphApiUrl !== undefined && !/^https?:\/\//.test(graphApiUrl)) {
    throw new ConfigError('GRAPH_API_URL', `"${graphApiUrl}" must start with http:// or https://`);
  }
  const graphApiVersion = env.GRAPH_API_VERSION || 'v23.0';
  if (!/^v\d+\.\d+$/.test(graphApiVersion)) {
    throw new ConfigError('GRAPH_API_VERSION', `"${graphApiVersion}" must look like v23.0`);
  }

  const given = WHATSAPP_VARIABLES.filter((name) => env[name]);
  let whatsapp: WhatsAppQuickStart | undefined;
  if (given.length > 0 && given.length < WHATSAPP_VARIABLES.length) {
    const missing = WHATSAPP_VARIABLES.filter((name) => !env[name]);
    throw new ConfigError(
      missing[0]!,
      `is missing; set all of ${missing.join(', ')} too, or none of the WHATSAPP_* variables for sandbox mode`,
    );
  }
  if (given.length === WHATSAPP_VARIABLES.length) {
    whatsapp = {
      appId: env.WHATSAPP_APP_ID!,
      appSecret: env.WHATSAPP_APP_SECRET!,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN!,
      wabaId: env.WHATSAPP_WABA_ID!,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID!,
      accessToken: env.WHATSAPP_ACCESS_TOKEN!,
    };
  }

  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `"${logLevel}" is not one of fatal, error, warn, info, debug, trace, silent`,
    );
  }

  const dispatchSendLockMs = readPositiveInteger(env, 'DISPATCH_SEND_LOCK_MS', 45_000); // 45 s
  if (dispatchSendLockMs <= GRAPH_SEND_TIMEOUT_MS) {
    // A lock shorter than a send could presume a send lost while it is still in flight, and resend it.
    throw new ConfigError(
      'DISPATCH_SEND_LOCK_MS',
      `"${dispatchSendLockMs}" must be more than the ${GRAPH_SEND_TIMEOUT_MS / 1000} s Graph send timeout`,
    );
  }

  return Object.freeze({
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl: rawDatabaseUrl,
    databaseKind,
    adminToken,
    secretKey,
    secretKeyId,
    previousSecretKeys,
    graphApiUrl,
    graphApiVersion,
    whatsapp,
    isSandbox: whatsapp === undefined,
    logLevel,
    inboxPollIntervalMs: readPositiveInteger(env, 'INBOX_POLL_INTERVAL_MS', 1000), // 1 s
    workers: readWorkers(env),
    agentDebounceMs: readPositiveInteger(env, 'AGENT_DEBOUNCE_MS', 1500), // 1.5 s
    agentModelDeadlineMs: readPositiveInteger(env, 'AGENT_MODEL_DEADLINE_MS', 20_000), // 20 s
    agentMaxMessagesPerTurn: readPositiveInteger(env, 'AGENT_MAX_MESSAGES_PER_TURN', 3),
    simulatorPort: env.SIMULATOR_PORT ? readPort({ PORT: env.SIMULATOR_PORT }, 'SIMULATOR_PORT') : 0,
    canSandboxPersonasReply: readSandboxPersonas(env),
    dispatchReconcileWindowMs: readPositiveInteger(env, 'DISPATCH_RECONCILE_WINDOW_MS', 60_000), // 1 min
    dispatchSendLockMs,
    publicUrl: readPublicUrl(env, port),
    signupAppId: env.SIGNUP_APP_ID || whatsapp?.appId || undefined,
    signupConfigId: env.SIGNUP_CONFIG_ID || undefined,
    metricsToken: readMetricsToken(env),
    trustProxy: readTrustProxy(env),
    allowPrivateNetworkTargets: readBoolean(env, 'ALLOW_PRIVATE_NETWORK_TARGETS', false),
    notices,
  });
}
