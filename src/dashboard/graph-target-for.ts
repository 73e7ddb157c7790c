import type { Kysely } from 'kysely';
import { AppError, notFound } from '../http/app-error.ts';
import type { Database } from '../store/schema.ts';
import type { GraphTarget } from '../whatsapp/graph/index.ts';

/** The Graph API target of a tenant's number: its URL and version (or the defaults) and its token. */
export type GraphTargetFor = (tenantId: string, phoneNumberId: string) => Promise<GraphTarget>;

export function createGraphTargetFor(deps: {
  db: Kysely<Database>;
  accessTokenFor: (tenantId: string, wabaId: string | null) => Promise<string | null>;
  defaultGraphApiUrl: string;
  defaultGraphApiVersion: string;
}): GraphTargetFor {
  return async (tenantId, phoneNumberId) => {
    const number = await deps.db
      .selectFrom('phone_numbers')
      .select(['waba_id', 'graph_api_url', 'graph_api_version'])
      .where('tenant_id', '=', tenantId)
      .where('phone_number_id', '=', phoneNumberId)
      .executeTakeFirst();
    if (!number) throw notFound(`phone number ${phoneNumberId}`);
    const accessToken = await deps.accessTokenFor(tenantId, number.waba_id);
    if (!accessToken)
      throw new AppError('validation_failed', `no access token for the WABA ${number.waba_id}: add one`);
    return {
      phoneNumberId,
      accessToken,
      graphApiUrl: number.graph_api_url ?? deps.defaultGraphApiUrl,
      graphApiVersion: number.graph_api_version ?? deps.defaultGraphApiVersion,
    };
  };
}
