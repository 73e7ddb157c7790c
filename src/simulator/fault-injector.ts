import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SimulatedGraphError } from './graph-error.ts';
import type { RandomSource } from './seeded-random.ts';
import type { FaultRates } from './simulator-options.ts';
import type { Counts } from './simulator-state.ts';

export type FaultKind = '5xx' | '429' | 'timeout' | 'reset';

const deferredFaults = new WeakMap<FastifyRequest, 'timeout' | 'reset'>();

/** A send that Meta accepts before the connection fails: the route answers nothing after doing the work. */
export function deferFault(request: FastifyRequest, kind: 'timeout' | 'reset'): void {
  deferredFaults.set(request, kind);
}

export function takeDeferredFault(request: FastifyRequest): 'timeout' | 'reset' | undefined {
  const kind = deferredFaults.get(request);
  deferredFaults.delete(request);
  return kind;
}

/** One draw decides: each kind gets its share of the unit interval, the rest is a normal answer. */
export function decideFault(faults: FaultRates, random: RandomSource): FaultKind | null {
  const roll = random();
  let edge = faults.rate5xx;
  if (roll < edge) return '5xx';
  edge += faults.rate429;
  if (roll < edge) return '429';
  edge += faults.timeoutRate;
  if (roll < edge) return 'timeout';
  edge += faults.resetRate;
  if (roll < edge) return 'reset';
  return null;
}

/** A 5xx or 429 as an error to answer with: 500/131000 or 503/2 for 5xx, and 429 with code 4. */
export function faultError(kind: '5xx' | '429', random: RandomSource, isSend = false): SimulatedGraphError {
  // A send over the limit meets the number's throughput limit (130429, back off in seconds); other calls
  // meet the app's hourly call limit (4, back off in minutes).
  if (kind === '429')
    return isSend
      ? new SimulatedGraphError(130429, 'Simulated fault: the number reached its throughput limit')
      : new SimulatedGraphError(4, 'Simulated fault: application request limit reached');
  return random() < 0.5
    ? new SimulatedGraphError(131000, 'Simulated fault: internal error')
    : new SimulatedGraphError(2, 'Simulated fault: service temporarily unavailable');
}

/**
 * Never answers (the client's own timeout ends it) or destroys the socket at once. Hung sockets are
 * kept so that `close()` can end them.
 */
export function withholdAnswer(
  kind: 'timeout' | 'reset',
  request: FastifyRequest,
  reply: FastifyReply,
  hungSockets: Set<Socket>,
  counts: Counts,
): void {
  reply.hijack();
  const socket = request.raw.socket as Socket | undefined;
  if (kind === 'reset') {
    counts.faultsReset += 1;
    if (socket && typeof socket.destroy === 'function') socket.destroy();
    else request.raw.destroy();
    return;
  }
  counts.faultsTimeout += 1;
  if (socket && typeof socket.once === 'function') {
    hungSockets.add(socket);
    socket.once('close', () => hungSockets.delete(socket));
  }
}
