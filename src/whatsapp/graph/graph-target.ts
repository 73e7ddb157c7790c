/**
 * Where and as whom a Graph API call is made. The URL and version are per tenant or per number, so
 * that one number can move to a newer Graph version (or to the simulator) while the others stay.
 */
export interface GraphAccess {
  /** A system-user or business-integration token. Opaque: never parsed, logged or put in a message. */
  accessToken: string;
  /** `https://graph.facebook.com`, or the simulator's URL. A path prefix is kept. */
  graphApiUrl: string;
  /** `v23.0`: every Graph path starts with it, and a version lives about two years. */
  graphApiVersion: string;
}

/**
 * Coxcox's own Meta app, for the calls it makes as the app: the Embedded Signup code exchange and
 * `debug_token` (asked with the app token `{app-id}|{app-secret}`). The secret is never logged.
 */
export interface GraphApp {
  appId: string;
  appSecret: string;
  graphApiUrl: string;
  graphApiVersion: string;
}

/** A business phone number, with the access needed to send from it. */
export interface GraphTarget extends GraphAccess {
  phoneNumberId: string;
}

export const defaultGraphApiUrl = 'https://graph.facebook.com';

/** The version of Meta's published OpenAPI spec (business-messaging-api_v23.0.yaml). */
export const defaultGraphApiVersion = 'v23.0';

/** Fills in Meta's URL and our default version where a tenant sets neither. */
export function createGraphTarget(input: {
  phoneNumberId: string;
  accessToken: string;
  graphApiUrl?: string | undefined;
  graphApiVersion?: string | undefined;
}): GraphTarget {
  return {
    phoneNumberId: input.phoneNumberId,
    accessToken: input.accessToken,
    graphApiUrl: input.graphApiUrl ?? defaultGraphApiUrl,
    graphApiVersion: input.graphApiVersion ?? defaultGraphApiVersion,
  };
}
