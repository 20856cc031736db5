import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { assertUnreachable, type ErrorCategory, isInvexError } from '../core/errors.ts';
import { fieldPath } from '../core/validation.ts';

/** RFC 9457 problem details. `code` is invex's specific error code; `errors` lists field problems. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
  [extension: string]: unknown;
}

export function statusOf(category: ErrorCategory): number {
  switch (category) {
    case 'invalid_input':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertUnreachable(category, 'error category');
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  instance: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `urn:invex:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance,
    code,
    ...extra,
  };
}

function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  const instance = request.url;
  if (isInvexError(error)) {
    return problem(statusOf(error.category), error.code, error.message, instance, error.details);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => {
      const path = [
        error.validationContext ?? 'request',
        ...(issue.instancePath || '').split('/').filter(Boolean),
      ];
      return { field: fieldPath(path), rule: issue.keyword, message: `${fieldPath(path)} ${issue.message}` };
    });
    return problem(400, 'request_invalid', errors.map((e) => e.message).join('; '), instance, { errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(
        413,
        'payload_too_large',
        `request body larger than the limit of ${request.routeOptions.bodyLimit ?? '?'} bytes`,
        instance,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(
        415,
        'unsupported_media_type',
        `content type ${request.headers['content-type'] ?? '(none)'} is not accepted here`,
        instance,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'request_invalid', `request body is not valid JSON: ${error.message}`, instance);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return problem(error.statusCode, 'request_invalid', error.message, instance);
  }
  return problem(500, 'internal_error', 'an unexpected error occurred; it has been logged', instance);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const body = toProblem(error, request);
  if (body.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.status(body.status).type('application/problem+json').send(body);
}
