import { AppError, type ErrorBody, type ErrorCode, errorCodes } from '@westwallet/shared';
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
  // A code SQL raised (`raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN'`) keeps its meaning.
  if (isRaisedCode(error)) return new AppError(error.message, error.detail ?? error.message);
  return undefined;
}

function isRaisedCode(error: unknown): error is { code: string; message: ErrorCode; detail?: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && /^PT\d{3}$/.test(code) && typeof message === 'string' && message in errorCodes;
}
