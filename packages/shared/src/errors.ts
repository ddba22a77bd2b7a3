/**
 * The one list of error codes WestWallet answers with. SQL raises them as the message of a
 * `PT4xx` SQLSTATE (the Data API returns `{ code: 'PT404', message: 'EXPENSE_NOT_FOUND' }`);
 * edge functions answer `{ error: { code, message } }` with the status given here. Clients and
 * tests match the code, never the message.
 */
export const errorCodes = {
  /** The request's input failed validation; `details` lists the problems. */
  VALIDATION_FAILED: 400,
  /** No valid credentials (user JWT, service key or signature) came with the request. */
  UNAUTHORIZED: 401,
  /** The path names no edge function. */
  FUNCTION_NOT_FOUND: 404,
  /** The function does not answer this HTTP method. */
  METHOD_NOT_ALLOWED: 405,
  /** Something failed on our side; the details are in the server log, not the response. */
  INTERNAL_ERROR: 500,
  /** An edge function threw instead of answering; the local runtime's last line of defence. */
  FUNCTION_FAILED: 500,
  /** The edge functions runtime is not answering (local stack). */
  FUNCTIONS_UNAVAILABLE: 502,
  /** The database could not be reached or did not answer in time. */
  DATABASE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error that knows what to tell the caller; anything else becomes INTERNAL_ERROR. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
