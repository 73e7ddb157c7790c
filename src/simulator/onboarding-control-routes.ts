import type { FastifyInstance } from 'fastify';
import { changePhoneNumberQuality, type QualityChange, sendAccountUpdate } from './account-events.ts';
import type { SignupInput } from './embedded-signup.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import { allPermissions } from './simulator-config.ts';
import type { SimulatorContext } from './simulator-context.ts';
import type { Permission } from './simulator-options.ts';

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function asPermission(value: unknown): Permission {
  if (typeof value === 'string' && (allPermissions as readonly string[]).includes(value))
    return value as Permission;
  throw new SimulatedGraphError(100, `permission must be one of ${allPermissions.join(', ')}.`);
}

/** Reads a control body in camelCase; unknown keys are ignored. */
function readSignupInput(body: Record<string, unknown>): SignupInput {
  const input: SignupInput = {};
  const text = (key: string) => asString(body[key]);
  if (text('businessName')) input.businessName = text('businessName')!;
  if (text('wabaId')) input.wabaId = text('wabaId')!;
  if (text('displayPhoneNumber')) input.displayPhoneNumber = text('displayPhoneNumber')!;
  if (typeof body.isRegistered === 'boolean') input.isRegistered = body.isRegistered;
  if (text('qualityRating'))
    input.qualityRating = text('qualityRating') as SignupInput['qualityRating'] & string;
  if (text('messagingLimitTier'))
    input.messagingLimitTier = text('messagingLimitTier') as SignupInput['messagingLimitTier'] & string;
  if (Array.isArray(body.scopes)) input.scopes = body.scopes.map(asPermission);
  if (text('tokenType')) input.tokenType = text('tokenType') as SignupInput['tokenType'] & string;
  if (typeof body.tokenExpiresInSeconds === 'number' || body.tokenExpiresInSeconds === null) {
    input.tokenExpiresInSeconds = body.tokenExpiresInSeconds;
  }
  return input;
}

/**
 * `/_simulator/*` controls for onboarding and health (no token): play the customer's pass through
 * Embedded Signup, take a permission back, expire a token, and make Meta change a number's quality or
 * the account, each with the webhook Meta would send.
 */
export async function onboardingControlRoutes(
  control: FastifyInstance,
  context: SimulatorContext,
): Promise<void> {
  /** Answers with the code and the `WA_EMBEDDED_SIGNUP` session info the signup window posts to the page. */
  control.post('/_simulator/embedded-signup', async (request) => {
    const body = isRecord(request.body) ? request.body : {};
    const issued = context.signup.issue(readSignupInput(body));
    return {
      code: issued.code,
      expires_in: issued.expiresInSeconds,
      display_phone_number: issued.displayPhoneNumber,
      session: {
        type: 'WA_EMBEDDED_SIGNUP',
        event: 'FINISH',
        data: {
          phone_number_id: issued.phoneNumberId,
          waba_id: issued.wabaId,
          business_id: issued.businessId,
        },
      },
    };
  });

  const tokenOf = (body: unknown): string => {
    const token = isRecord(body) ? asString(body.token) : undefined;
    if (!token) throw new SimulatedGraphError(100, 'token is required.');
    return token;
  };

  control.post('/_simulator/access-tokens/revoke-permission', async (request) => {
    const token = tokenOf(request.body);
    const permission = asPermission(isRecord(request.body) ? request.body.permission : undefined);
    if (!context.tokens.revokePermission(token, permission))
      throw new SimulatedGraphError(100, 'No such token.');
    return { success: true };
  });

  control.post('/_simulator/access-tokens/expire', async (request) => {
    if (!context.tokens.expire(tokenOf(request.body), context.clock.now()))
      throw new SimulatedGraphError(100, 'No such token.');
    return { success: true };
  });

  control.post('/_simulator/access-tokens/revoke', async (request) => {
    context.tokens.revoke(tokenOf(request.body));
    return { success: true };
  });

  control.post<{ Params: { phoneNumberId: string } }>(
    '/_simulator/phone-numbers/:phoneNumberId/quality',
    async (request) => {
      const body = isRecord(request.body) ? request.body : {};
      const change: QualityChange = {};
      if (asString(body.qualityRating))
        change.qualityRating = body.qualityRating as QualityChange['qualityRating'];
      if (asString(body.messagingLimitTier))
        change.messagingLimitTier = body.messagingLimitTier as QualityChange['messagingLimitTier'];
      if (asString(body.throughputLevel))
        change.throughputLevel = body.throughputLevel as QualityChange['throughputLevel'];
      if (asString(body.event)) change.event = body.event as string;
      try {
        return {
          success: true,
          event: changePhoneNumberQuality(context, request.params.phoneNumberId, change),
        };
      } catch (error) {
        throw new SimulatedGraphError(100, (error as Error).message);
      }
    },
  );

  control.post<{ Params: { wabaId: string } }>(
    '/_simulator/wabas/:wabaId/account-update',
    async (request) => {
      try {
        sendAccountUpdate(context, request.params.wabaId, isRecord(request.body) ? request.body : {});
      } catch (error) {
        throw new SimulatedGraphError(100, (error as Error).message);
      }
      return { success: true };
    },
  );
}
