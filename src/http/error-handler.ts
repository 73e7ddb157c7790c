import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from './app-error.ts';

/** Maps every error to `{ error: { code, message, details? } }` with the status for its code, in one place. */
export function errorHandler(
  error: FastifyError | AppError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AppError) {
    // Public routes have no principal; only the operator reads what concerns another tenant.
    const isOperator = (request.principal as { kind?: string } | undefined)?.kind === 'admin';
    const message = isOperator && error.operatorMessage ? error.operatorMessage : error.message;
    return reply
      .code(error.statusCode)
      .send({ error: { code: error.code, message, details: error.details } });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`,
      message: issue.message,
    }));
    const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return reply.code(400).send({ error: { code: 'validation_failed', message: summary, details: issues } });
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode === 413) {
    return reply.code(413).send({ error: { code: 'payload_too_large', message: error.message } });
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return reply.code(statusCode).send({
      error: { code: statusCode === 404 ? 'not_found' : 'validation_failed', message: error.message },
    });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log' } });
}
