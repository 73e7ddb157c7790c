import type { AccessTokens } from './access-tokens.ts';
import type { BusinessDirectory } from './business-directory.ts';
import type { Clock } from './clock.ts';
import { defaultTemplates } from './default-business.ts';
import { SimulatedGraphError } from './graph-error.ts';
import type { ObjectIds } from './object-ids.ts';
import { allPermissions } from './simulator-config.ts';
import type {
  MessagingLimitTier,
  Permission,
  QualityRating,
  TemplateDefinition,
  TokenType,
} from './simulator-options.ts';
import type { TemplateRegistry } from './template-registry.ts';

/** What a simulated customer does in Meta's Embedded Signup window. */
export interface SignupInput {
  /** The business name the customer types; it names the WABA and verifies the number. */
  businessName?: string;
  /** Share an already hosted WABA instead of creating one (the customer picks an existing account). */
  wabaId?: string;
  displayPhoneNumber?: string;
  /** New numbers are not registered for the Cloud API until `POST /{id}/register`. */
  isRegistered?: boolean;
  qualityRating?: QualityRating;
  /** New businesses start at 250 unique customers a day (cloud-api-details.md §5.3). */
  messagingLimitTier?: MessagingLimitTier;
  /** The test templates Meta puts in a new WABA; `hello_world` and friends by default. */
  templates?: TemplateDefinition[];
  /** The permissions the customer leaves ticked; all three by default. */
  scopes?: Permission[];
  tokenType?: TokenType;
  /** Business integration tokens never expire; a user token does (about 60 days). Null: never. */
  tokenExpiresInSeconds?: number | null;
}

/** What the signup window hands back: the code for the server, and the session info for the page. */
export interface IssuedSignup {
  code: string;
  expiresInSeconds: number;
  wabaId: string;
  phoneNumberId: string;
  businessId: string;
  displayPhoneNumber: string;
}

interface PendingCode {
  expiresAt: number;
  isUsed: boolean;
  wabaId: string;
  scopes: Permission[];
  tokenType: TokenType;
  tokenExpiresInSeconds: number | null;
}

export interface EmbeddedSignupDeps {
  directory: BusinessDirectory;
  templates: TemplateRegistry;
  tokens: AccessTokens;
  ids: ObjectIds;
  clock: Clock;
  codeTtlMs: number;
}

/**
 * Meta's side of Embedded Signup: the customer's pass through the signup window creates (or shares) a
 * WABA with a test number and templates, and yields a code. The code is exchanged once, within about
 * 30 s, for a business integration system user token that sees only that WABA.
 */
export class EmbeddedSignup {
  readonly #deps: EmbeddedSignupDeps;
  readonly #codes = new Map<string, PendingCode>();
  #numberCounter = 0;

  constructor(deps: EmbeddedSignupDeps) {
    this.#deps = deps;
  }

  reset(): void {
    this.#codes.clear();
  }

  /** Numbers created so far: their display numbers count from it, so a restored state keeps counting. */
  get numbersCreated(): number {
    return this.#numberCounter;
  }

  set numbersCreated(count: number) {
    this.#numberCounter = Math.max(this.#numberCounter, count);
  }

  issue(input: SignupInput = {}): IssuedSignup {
    const { directory, templates, ids, clock } = this.#deps;
    let wabaId = input.wabaId;
    let phoneNumberId: string;
    let displayPhoneNumber: string;
    if (wabaId !== undefined) {
      const waba = directory.waba(wabaId);
      const first = waba ? directory.phoneNumbersOf(waba.id)[0] : undefined;
      if (!waba || !first)
        throw new SimulatedGraphError(100, `No hosted WABA ${wabaId} with a number to share.`);
      phoneNumberId = first.id;
      displayPhoneNumber = first.displayPhoneNumber;
    } else {
      wabaId = ids.numeric();
      phoneNumberId = ids.numeric();
      this.#numberCounter += 1;
      // 555-01xx numbers are reserved for fiction in the North American plan.
      displayPhoneNumber =
        input.displayPhoneNumber ??
        `+1 555-01${String(this.#numberCounter % 100).padStart(2, '0')}-${String(1000 + this.#numberCounter).slice(-4)}`;
      const name = input.businessName ?? `Test Business ${this.#numberCounter}`;
      directory.addWaba({
        id: wabaId,
        name,
        // The app sees the WABA's webhooks only after `POST /{waba-id}/subscribed_apps`.
        isSubscribed: false,
        phoneNumbers: [
          {
            id: phoneNumberId,
            displayPhoneNumber,
            verifiedName: name,
            qualityRating: input.qualityRating ?? 'GREEN',
            messagingLimitTier: input.messagingLimitTier ?? 'TIER_250',
            isRegistered: input.isRegistered ?? false,
          },
        ],
      });
      for (const template of input.templates ?? defaultTemplates()) templates.add(wabaId, template);
    }
    const code = `AQ${ids.hex32()}${ids.hex32()}`;
    this.#codes.set(code, {
      expiresAt: clock.now() + this.#deps.codeTtlMs,
      isUsed: false,
      wabaId,
      scopes: [...(input.scopes ?? allPermissions)],
      tokenType: input.tokenType ?? 'BUSINESS_INTEGRATION_SYSTEM_USER',
      tokenExpiresInSeconds: input.tokenExpiresInSeconds ?? null,
    });
    return {
      code,
      expiresInSeconds: Math.round(this.#deps.codeTtlMs / 1000),
      wabaId,
      phoneNumberId,
      businessId: ids.numeric(),
      displayPhoneNumber,
    };
  }

  /**
   * Redeems a code once. Graph's answers: 100 with subcode 36007 when it expired, 36009 when it was used,
   * and plain 100 for a code it never issued.
   */
  exchange(code: string): { accessToken: string; expiresInSeconds: number | null } {
    const pending = this.#codes.get(code);
    if (!pending)
      throw new SimulatedGraphError(100, undefined, { message: 'Invalid verification code format.' });
    if (pending.isUsed) {
      throw new SimulatedGraphError(100, undefined, {
        subcode: 36009,
        message: 'This authorization code has been used.',
      });
    }
    const now = this.#deps.clock.now();
    if (pending.expiresAt <= now) {
      throw new SimulatedGraphError(100, undefined, {
        subcode: 36007,
        message: 'This authorization code has expired.',
      });
    }
    pending.isUsed = true;
    const accessToken = `EAAG${this.#deps.ids.hex32()}${this.#deps.ids.hex32()}`;
    this.#deps.tokens.add(accessToken, [pending.wabaId], {
      scopes: pending.scopes,
      type: pending.tokenType,
      expiresAt: pending.tokenExpiresInSeconds === null ? null : now + pending.tokenExpiresInSeconds * 1000,
    });
    return { accessToken, expiresInSeconds: pending.tokenExpiresInSeconds };
  }
}
