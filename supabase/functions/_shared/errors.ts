import { AppError, type ErrorBody } from '@westwallet/shared';
import { ZodError } from 'zod';
import { corsHeaders } from './cors.ts';

/**
 * Turns anything a handler throws into the one error envelope `{ error: { code, message } }`.
 * Unexpected errors are logged with their stack and answered without it.
 */
export function errorResponse(error: unknown): Response {
  const known = toAppError(error);
  if (!known) {
    console.error(error);
    const body: ErrorBody = { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side.' } };
    return Response.json(body, { status: 500, headers: corsHeaders });
  }
  return Response.json(known.toBody(), { status: known.status, headers: corsHeaders });
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    return new AppError('VALIDATION_FAILED', 'The request is not valid.', details);
  }
  return undefined;
}
