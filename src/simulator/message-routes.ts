import type { FastifyInstance } from 'fastify';
import { checkSendBody } from './check-send-body.ts';
import { takeDeferredFault, withholdAnswer } from './fault-injector.ts';
import { visibleNumber } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { sendMessage } from './send-message.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** `POST /{version}/{phone-number-id}/messages`: every send type, and mark-as-read with a typing bubble. */
export async function messageRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.post<{ Params: { version: string; phoneNumberId: string } }>(
    '/:version/:phoneNumberId/messages',
    async (request, reply) => {
      const number = visibleNumber(context, request, request.params.phoneNumberId);
      if (!number.isRegistered) {
        throw new SimulatedGraphError(
          133010,
          'The phone number is not registered. Register it with POST /{phone-number-id}/register.',
        );
      }
      const command = checkSendBody(request.body);
      let answer: unknown;
      if (command.kind === 'mark-read') {
        if (!command.messageId.startsWith('wamid.')) {
          throw new SimulatedGraphError(
            131009,
            'Param message_id must be the wamid of a message the customer sent.',
          );
        }
        context.state.counts.markedRead += 1;
        context.customers.markedRead(number.id, command.messageId, command.hasTypingIndicator);
        answer = { success: true };
      } else {
        answer = sendMessage(context, number, command.request);
      }
      // A timeout or reset that struck after Meta had accepted the send: the outcome is unknown to the client.
      const fault = takeDeferredFault(request);
      if (fault) {
        withholdAnswer(fault, request, reply, context.hungSockets, context.state.counts);
        return reply;
      }
      return answer;
    },
  );
}
