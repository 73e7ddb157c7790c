import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch } from 'undici';
import { classifyAddress } from './classify-address.ts';
import { findTargetRefusal, TargetRefusedError } from './target-refused-error.ts';

/** Which addresses the server may connect to for a tenant-chosen URL. */
export interface TargetPolicy {
  /** ALLOW_PRIVATE_NETWORK_TARGETS: connect anywhere (on-premises installs, tests on loopback). */
  allowPrivateNetworkTargets: boolean;
  /**
   * Origins the operator configured (GRAPH_API_URL, the built-in simulator on loopback): not tenant-chosen,
   * so never checked.
   */
  trustedOrigins?: readonly string[];
  /** Resolves names; `dns.lookup` by default. Tests inject one to make a name resolve where they want. */
  lookup?: LookupFunction;
}

export interface SafeDispatcherOptions extends TargetPolicy {
  /** TCP and TLS connect: 10 s by default. */
  connectTimeoutMs?: number;
  /** Passed on to undici's Agent (pool sizes, keep-alive). */
  agent?: Omit<Agent.Options, 'connect'>;
}

const defaultLookup: LookupFunction = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** `http://[::1]:8080/` → `http://::1:8080`: the form undici's connect options give. */
function originKey(protocol: string, hostname: string, port: string): string {
  return `${protocol}//${hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()}:${port}`;
}

function trustedKeys(policy: TargetPolicy): Set<string> {
  return new Set(
    (policy.trustedOrigins ?? []).map((origin) => {
      const url = new URL(origin);
      return originKey(url.protocol, url.hostname, url.port);
    }),
  );
}

/**
 * Checks every address a name resolves to before the socket connects, so the address judged is the
 * address connected to: a name that resolves to loopback, or resolves to a public address once and to
 * loopback the next time (DNS rebinding), is refused at the connection it would have opened.
 */
function checkedLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) {
        callback(error, address, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      for (const candidate of addresses) {
        const kind = classifyAddress(candidate);
        if (kind !== null) {
          callback(new TargetRefusedError(hostname, candidate, kind), address, family);
          return;
        }
      }
      callback(null, address, family);
    });
  };
}

/**
 * An undici dispatcher for URLs a tenant chose (webhook endpoints, Graph URL overrides, model base URLs).
 * Its connect hook refuses addresses that are not public unicast (see classifyAddress) with a
 * TargetRefusedError, before any byte leaves. Every connection goes through the hook, so a redirect that
 * is followed with this dispatcher is checked at each hop.
 */
export function createSafeDispatcher(options: SafeDispatcherOptions): Agent {
  const timeout = options.connectTimeoutMs ?? 10_000; // 10 s
  const direct = buildConnector({ timeout });
  const checked = buildConnector({ timeout, lookup: checkedLookup(options.lookup ?? defaultLookup) });
  const trusted = trustedKeys(options);
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const { protocol, hostname, port } = connectOptions;
    if (options.allowPrivateNetworkTargets || trusted.has(originKey(protocol, hostname, port))) {
      direct(connectOptions, callback);
      return;
    }
    // An address in the URL is connected to without a lookup, so it is judged here.
    if (isIP(hostname) !== 0) {
      const kind = classifyAddress(hostname);
      if (kind !== null) {
        callback(new TargetRefusedError(hostname, hostname, kind), null);
        return;
      }
    }
    checked(connectOptions, callback);
  };
  return new Agent({ ...options.agent, connect });
}

/**
 * A `fetch` over a dispatcher, for the AI SDK providers' `fetch` option. Redirects are followed through the
 * dispatcher, so each hop is checked. A refusal is thrown as itself, not as `TypeError: fetch failed`: the
 * AI SDK retries the latter as a network failure, and a refusal is permanent.
 */
export function createSafeFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  const safeFetch = async (
    input: Parameters<typeof undiciFetch>[0],
    init?: Parameters<typeof undiciFetch>[1],
  ) => {
    try {
      return await undiciFetch(input, { ...init, dispatcher });
    } catch (error) {
      throw findTargetRefusal(error) ?? error;
    }
  };
  return safeFetch as unknown as typeof globalThis.fetch;
}

/**
 * Write-time check of a tenant-chosen URL whose host is an IP address (in any form URL parsing accepts:
 * `2130706433`, `0177.0.0.1`, `[::ffff:127.0.0.1]`): the refusal, or null. Names are judged when connecting.
 */
export function refusalOfUrl(url: URL, policy: TargetPolicy): TargetRefusedError | null {
  if (policy.allowPrivateNetworkTargets) return null;
  if (trustedKeys(policy).has(originKey(url.protocol, url.hostname, url.port))) return null;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) === 0) return null;
  const kind = classifyAddress(host);
  return kind === null ? null : new TargetRefusedError(host, host, kind);
}
