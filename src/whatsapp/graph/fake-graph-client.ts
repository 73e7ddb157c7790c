import { randomBytes } from 'node:crypto';
import { buildMarkReadBody, buildSendBody, type SendMessageBody } from './build-send-body.ts';
import type {
  BusinessAccount,
  BusinessPhoneNumber,
  CallOptions,
  CreatedTemplate,
  DownloadedMedia,
  ExchangedToken,
  GraphClient,
  ListTemplatesOptions,
  MarkReadOptions,
  MediaInfo,
  MediaUpload,
  MessageTemplate,
  SendOptions,
  SentMessage,
  SubscribedApp,
  TemplateDraft,
  TokenDebugInfo,
} from './graph-client.ts';
import { requiredPermissions } from './graph-client.ts';
import { GraphError, type MetaErrorInput } from './graph-error.ts';
import type { GraphAccess, GraphApp, GraphTarget } from './graph-target.ts';
import { matchesSha256, sha256Hex } from './media-sha256.ts';
import type { OutboundMessage } from './outbound-message.ts';

export type GraphClientMethod = keyof GraphClient;

/** One call the fake received, in order. */
export interface FakeGraphCall {
  method: GraphClientMethod;
  /** The arguments after the target or access. */
  args: unknown[];
  /** The phone number id, or null for calls made with access only. */
  phoneNumberId: string | null;
}

/** A message the fake accepted, with the exact body the real client would have posted. */
export interface FakeSentMessage {
  target: GraphTarget;
  message: OutboundMessage;
  options: SendOptions;
  body: SendMessageBody;
  wamid: string;
}

interface StoredMedia {
  bytes: Uint8Array;
  mimeType: string;
  /** What `getMedia` announces; tests may set a wrong one to exercise the hash check. */
  sha256: string;
}

/** A Meta error code, Meta's whole answer (the fake adds the call's attempt), or an error to throw as is. */
export type FakeFailure = number | Omit<MetaErrorInput, 'attempt'> | GraphError;

/** A token as the fake's `debug_token` describes it. */
export interface FakeToken {
  /** Defaults to all three permissions. */
  scopes?: string[];
  /** The WABAs the WhatsApp permissions were granted for; absent: not narrowed. */
  wabaIds?: string[];
  /** Epoch ms; absent or null: never. */
  expiresAt?: number | null;
  type?: string;
  isRevoked?: boolean;
}

interface ScriptedFailure {
  error: FakeFailure;
  method: GraphClientMethod | undefined;
}

/**
 * The Graph port in memory: it records every call, issues wamids, keeps templates, numbers and
 * media, and fails on cue. Errors for scripted codes go through the same classification as Meta's.
 */
export class FakeGraphClient implements GraphClient {
  readonly calls: FakeGraphCall[] = [];
  readonly sent: FakeSentMessage[] = [];
  readonly readMarks: { phoneNumberId: string; wamid: string; body: SendMessageBody }[] = [];
  readonly #failures: ScriptedFailure[] = [];
  readonly #media = new Map<string, StoredMedia>();
  readonly #templates = new Map<string, MessageTemplate[]>();
  readonly #numbers = new Map<string, BusinessPhoneNumber[]>();
  readonly #subscriptions = new Map<string, SubscribedApp[]>();
  readonly #registered = new Set<string>();
  readonly #wabas = new Map<string, BusinessAccount>();
  readonly #tokens = new Map<string, Required<FakeToken>>();
  readonly #codes = new Map<string, { token: string; expiresAt: number; isUsed: boolean }>();
  readonly #apps = new Map<string, string>();
  readonly #now: () => number;
  #sequence = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The app whose id and secret the code exchange and debug_token accept (any app, until one is added). */
  addApp(appId: string, appSecret: string): void {
    this.#apps.set(appId, appSecret);
  }

  /** A WABA as `GET /{waba-id}` answers it. */
  addWaba(wabaId: string, name: string | null = null): void {
    this.#wabas.set(wabaId, { id: wabaId, name });
  }

  /** A token debug_token knows; unknown tokens are reported invalid. */
  addToken(token: string, details: FakeToken = {}): void {
    this.#tokens.set(token, {
      scopes: details.scopes ?? [...requiredPermissions],
      wabaIds: details.wabaIds ?? [],
      expiresAt: details.expiresAt ?? null,
      type: details.type ?? 'SYSTEM_USER',
      isRevoked: details.isRevoked ?? false,
    });
  }

  /** Takes a permission back from a token, as a customer unticking it would. */
  revokePermission(token: string, scope: string): void {
    const known = this.#tokens.get(token);
    if (known) known.scopes = known.scopes.filter((granted) => granted !== scope);
  }

  /** A code Embedded Signup would return: it exchanges once, within 30 s, for `token`. */
  issueSignupCode(token: string, details: FakeToken = {}): string {
    if (!this.#tokens.has(token))
      this.addToken(token, { type: 'BUSINESS_INTEGRATION_SYSTEM_USER', ...details });
    const code = `fake-code-${this.#nextId()}`;
    this.#codes.set(code, { token, expiresAt: this.#now() + 30_000, isUsed: false }); // 30 s, like Meta's
    return code;
  }

  /**
   * The next call (or the next call of `method`) fails: with a Meta error code, classified like a
   * real answer (HTTP status from Meta's table), with Meta's whole answer, or with a GraphError as is.
   */
  failNext(codeOrError: FakeFailure, options: { method?: GraphClientMethod } = {}): void {
    this.#failures.push({ error: codeOrError, method: options.method });
  }

  /** A business number of a WABA, as `GET /{waba-id}/phone_numbers` would list it. */
  addPhoneNumber(
    wabaId: string,
    number: Omit<BusinessPhoneNumber, 'status'> & { status?: string | null },
  ): void {
    const numbers = this.#numbers.get(wabaId) ?? [];
    numbers.push({ ...number, status: number.status ?? 'CONNECTED' });
    this.#numbers.set(wabaId, numbers);
  }

  /** Media on Meta's side, as if a customer had sent it. Returns its id. */
  seedMedia(media: { bytes: Uint8Array; mimeType: string; sha256?: string }): string {
    const id = this.#nextId();
    this.#media.set(id, {
      bytes: media.bytes,
      mimeType: media.mimeType,
      sha256: media.sha256 ?? sha256Hex(media.bytes),
    });
    return id;
  }

  /** Moves a template through review (APPROVED, REJECTED, PAUSED…). */
  setTemplateStatus(wabaId: string, name: string, language: string, status: string): void {
    const template = this.#templates
      .get(wabaId)
      ?.find((candidate) => candidate.name === name && candidate.language === language);
    if (!template) throw new Error(`no template ${name} (${language}) in WABA ${wabaId}`);
    template.status = status;
  }

  isRegistered(phoneNumberId: string): boolean {
    return this.#registered.has(phoneNumberId);
  }

  async sendMessage(
    target: GraphTarget,
    message: OutboundMessage,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    this.#record('sendMessage', target, [message, options]);
    const body = buildSendBody(message, options);
    this.#checkSignal(options);
    this.#failIfScripted('sendMessage', options.attempt);
    const wamid = `wamid.${Buffer.from(`fake-${target.phoneNumberId}-${this.#nextId()}`).toString('base64url')}`;
    this.sent.push({ target, message, options, body, wamid });
    return {
      wamid,
      waId: message.to.replace(/\D/g, ''),
      messageStatus: message.type === 'template' ? 'accepted' : null,
    };
  }

  async markRead(target: GraphTarget, wamid: string, options: MarkReadOptions = {}): Promise<void> {
    this.#record('markRead', target, [wamid, options]);
    this.#checkSignal(options);
    this.#failIfScripted('markRead');
    this.readMarks.push({
      phoneNumberId: target.phoneNumberId,
      wamid,
      body: buildMarkReadBody(wamid, options),
    });
  }

  async uploadMedia(
    target: GraphTarget,
    media: MediaUpload,
    options: CallOptions = {},
  ): Promise<{ id: string }> {
    this.#record('uploadMedia', target, [media]);
    this.#checkSignal(options);
    this.#failIfScripted('uploadMedia');
    const id = this.seedMedia({ bytes: media.bytes, mimeType: media.mimeType });
    return { id };
  }

  async getMedia(target: GraphTarget, mediaId: string, options: CallOptions = {}): Promise<MediaInfo> {
    this.#record('getMedia', target, [mediaId]);
    this.#checkSignal(options);
    this.#failIfScripted('getMedia');
    const media = this.#findMedia(mediaId);
    return {
      url: `https://fake.graph.invalid/media/${mediaId}`,
      mimeType: media.mimeType,
      sha256: media.sha256,
      fileSize: media.bytes.length,
    };
  }

  async downloadMedia(
    target: GraphTarget,
    mediaId: string,
    options: CallOptions = {},
  ): Promise<DownloadedMedia> {
    this.#record('downloadMedia', target, [mediaId]);
    this.#checkSignal(options);
    this.#failIfScripted('downloadMedia');
    const media = this.#findMedia(mediaId);
    if (!matchesSha256(media.bytes, media.sha256)) throw GraphError.mediaHashMismatch(mediaId);
    return { bytes: media.bytes.slice(), mimeType: media.mimeType, sha256: sha256Hex(media.bytes) };
  }

  async listTemplates(
    access: GraphAccess,
    wabaId: string,
    options: ListTemplatesOptions = {},
  ): Promise<MessageTemplate[]> {
    this.#record('listTemplates', access, [wabaId, options]);
    this.#checkSignal(options);
    this.#failIfScripted('listTemplates');
    return (this.#templates.get(wabaId) ?? [])
      .filter((template) => options.name === undefined || template.name === options.name)
      .filter((template) => options.status === undefined || template.status === options.status)
      .map((template) => structuredClone(template));
  }

  async createTemplate(
    access: GraphAccess,
    wabaId: string,
    template: TemplateDraft,
    options: CallOptions = {},
  ): Promise<CreatedTemplate> {
    this.#record('createTemplate', access, [wabaId, template]);
    this.#checkSignal(options);
    this.#failIfScripted('createTemplate');
    const templates = this.#templates.get(wabaId) ?? [];
    if (
      templates.some((existing) => existing.name === template.name && existing.language === template.language)
    ) {
      // Meta refuses a second template with the same name and language (code 100) [Meta, "Template fundamentals"].
      throw GraphError.fromMeta({
        httpStatus: 400,
        code: 100,
        message: '(#100) Invalid parameter',
        details: `a template named ${template.name} already exists in ${template.language}`,
      });
    }
    const created: MessageTemplate = {
      id: this.#nextId(),
      name: template.name,
      language: template.language,
      status: 'PENDING',
      category: template.category,
      parameterFormat: template.parameterFormat ?? null,
      components: structuredClone(template.components),
    };
    templates.push(created);
    this.#templates.set(wabaId, templates);
    return { id: created.id, status: created.status, category: created.category };
  }

  async listPhoneNumbers(
    access: GraphAccess,
    wabaId: string,
    options: CallOptions = {},
  ): Promise<BusinessPhoneNumber[]> {
    this.#record('listPhoneNumbers', access, [wabaId]);
    this.#checkSignal(options);
    this.#failIfScripted('listPhoneNumbers');
    return (this.#numbers.get(wabaId) ?? []).map((number) => ({ ...number }));
  }

  async getPhoneNumber(
    access: GraphAccess,
    phoneNumberId: string,
    options: CallOptions = {},
  ): Promise<BusinessPhoneNumber> {
    this.#record('getPhoneNumber', access, [phoneNumberId]);
    this.#checkSignal(options);
    this.#failIfScripted('getPhoneNumber');
    for (const numbers of this.#numbers.values()) {
      const number = numbers.find((candidate) => candidate.id === phoneNumberId);
      if (number) return { ...number };
    }
    throw unknownObject(phoneNumberId);
  }

  async subscribeApp(access: GraphAccess, wabaId: string, options: CallOptions = {}): Promise<void> {
    this.#record('subscribeApp', access, [wabaId]);
    this.#checkSignal(options);
    this.#failIfScripted('subscribeApp');
    if (!this.#subscriptions.has(wabaId)) {
      this.#subscriptions.set(wabaId, [{ id: 'fake-app', name: 'Coxcox (fake)', overrideCallbackUri: null }]);
    }
  }

  async listSubscribedApps(
    access: GraphAccess,
    wabaId: string,
    options: CallOptions = {},
  ): Promise<SubscribedApp[]> {
    this.#record('listSubscribedApps', access, [wabaId]);
    this.#checkSignal(options);
    this.#failIfScripted('listSubscribedApps');
    return (this.#subscriptions.get(wabaId) ?? []).map((app) => ({ ...app }));
  }

  async registerNumber(
    access: GraphAccess,
    phoneNumberId: string,
    pin: string,
    options: CallOptions = {},
  ): Promise<void> {
    this.#record('registerNumber', access, [phoneNumberId, pin]);
    if (!/^\d{6}$/.test(pin))
      throw GraphError.invalidRequest('the two-step verification PIN must be 6 digits');
    this.#checkSignal(options);
    this.#failIfScripted('registerNumber');
    this.#registered.add(phoneNumberId);
    for (const numbers of this.#numbers.values()) {
      const number = numbers.find((candidate) => candidate.id === phoneNumberId);
      if (number) number.status = 'CONNECTED';
    }
  }

  async getWaba(access: GraphAccess, wabaId: string, options: CallOptions = {}): Promise<BusinessAccount> {
    this.#record('getWaba', access, [wabaId]);
    this.#checkSignal(options);
    this.#failIfScripted('getWaba');
    const waba =
      this.#wabas.get(wabaId) ?? (this.#numbers.has(wabaId) ? { id: wabaId, name: null } : undefined);
    if (!waba) throw unknownObject(wabaId);
    return { ...waba };
  }

  async exchangeCode(app: GraphApp, code: string, options: CallOptions = {}): Promise<ExchangedToken> {
    this.calls.push({ method: 'exchangeCode', args: [app.appId], phoneNumberId: null });
    this.#checkSignal(options);
    this.#failIfScripted('exchangeCode');
    this.#checkApp(app);
    const pending = this.#codes.get(code);
    // Graph's answers for codes (100, with subcode 36007 expired and 36009 used).
    if (!pending) throw oauthError('Invalid verification code format.');
    if (pending.isUsed) throw oauthError('This authorization code has been used.', 36009);
    if (pending.expiresAt <= this.#now()) throw oauthError('This authorization code has expired.', 36007);
    pending.isUsed = true;
    const token = this.#tokens.get(pending.token);
    const expiresAt = token?.expiresAt ?? null;
    return {
      accessToken: pending.token,
      tokenType: 'bearer',
      expiresInSeconds: expiresAt === null ? null : Math.max(0, Math.round((expiresAt - this.#now()) / 1000)),
    };
  }

  async debugToken(app: GraphApp, inputToken: string, options: CallOptions = {}): Promise<TokenDebugInfo> {
    this.calls.push({ method: 'debugToken', args: [app.appId], phoneNumberId: null });
    this.#checkSignal(options);
    this.#failIfScripted('debugToken');
    this.#checkApp(app);
    const token = this.#tokens.get(inputToken);
    const base = { appId: app.appId, granularScopes: [] };
    if (!token || token.isRevoked) {
      return {
        ...base,
        isValid: false,
        type: null,
        expiresAt: null,
        scopes: [],
        error: { code: 190, subcode: token ? 467 : null, message: 'Invalid OAuth access token' },
      };
    }
    const isExpired = token.expiresAt !== null && token.expiresAt <= this.#now();
    return {
      isValid: !isExpired,
      appId: app.appId,
      type: token.type,
      expiresAt: token.expiresAt,
      scopes: [...token.scopes],
      granularScopes: token.scopes.map((scope) => ({
        scope,
        targetIds: scope === 'business_management' || token.wabaIds.length === 0 ? null : [...token.wabaIds],
      })),
      error: isExpired
        ? { code: 190, subcode: 463, message: 'Error validating access token: Session has expired' }
        : null,
    };
  }

  #checkApp(app: GraphApp): void {
    const secret = this.#apps.get(app.appId);
    if (this.#apps.size > 0 && secret === undefined) {
      throw GraphError.fromMeta({
        httpStatus: 400,
        code: 101,
        message: 'Error validating application. Invalid application ID.',
      });
    }
    if (secret !== undefined && secret !== app.appSecret) {
      throw GraphError.fromMeta({ httpStatus: 400, code: 1, message: 'Error validating client secret.' });
    }
  }

  #record(method: GraphClientMethod, access: GraphAccess | GraphTarget, args: unknown[]): void {
    const phoneNumberId = 'phoneNumberId' in access ? access.phoneNumberId : null;
    this.calls.push({ method, args, phoneNumberId });
  }

  #checkSignal(options: CallOptions): void {
    if (options.signal?.aborted) {
      throw GraphError.transport('aborted', 'not-sent', 'aborted before sending');
    }
  }

  #failIfScripted(method: GraphClientMethod, attempt = 0): void {
    const index = this.#failures.findIndex(
      (failure) => failure.method === undefined || failure.method === method,
    );
    if (index === -1) return;
    const [failure] = this.#failures.splice(index, 1);
    const error = failure!.error;
    if (error instanceof GraphError) throw error;
    if (typeof error === 'object') throw GraphError.fromMeta({ ...error, attempt });
    throw GraphError.fromMeta({
      httpStatus: typicalHttpStatus(error),
      code: error,
      message: `(#${error}) scripted failure`,
      details: 'scripted by FakeGraphClient.failNext',
      fbtraceId: `fake-trace-${this.#nextId()}`,
      attempt,
    });
  }

  #findMedia(mediaId: string): StoredMedia {
    const media = this.#media.get(mediaId);
    if (!media) throw unknownObject(mediaId);
    return media;
  }

  #nextId(): string {
    this.#sequence += 1;
    return `${Date.now()}${String(this.#sequence).padStart(6, '0')}${randomBytes(2).readUInt16BE(0)}`;
  }
}

function oauthError(message: string, subcode?: number): GraphError {
  return GraphError.fromMeta({
    httpStatus: 400,
    code: 100,
    subcode: subcode ?? null,
    type: 'OAuthException',
    message,
  });
}

/** Graph's answer for an id it does not know: code 100, subcode 33 (GraphMethodException). */
function unknownObject(id: string): GraphError {
  return GraphError.fromMeta({
    httpStatus: 400,
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported get request. Object with ID '${id}' does not exist`,
  });
}

/** The HTTP status Meta's error-code table lists for a code, so scripted errors look real. */
function typicalHttpStatus(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 2 || code === 133004) return 503;
  if (code === 3 || code === 131000 || code === 131016 || code === 131057) return 500;
  if (code === 10 || code === 368 || code === 131031 || (code >= 200 && code <= 299)) return 403;
  if (code === 132001) return 404;
  return 400;
}
