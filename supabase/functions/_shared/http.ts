import { AppError } from '@westwallet/shared';
import { corsHeaders } from './cors.ts';
import { errorResponse } from './errors.ts';

export type Handler = (request: Request) => Response | Promise<Response>;

/** A JSON answer with the CORS headers every function sends. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, { ...init, headers: { ...corsHeaders, ...init.headers } });
}

/**
 * Wraps a handler with what every function needs: the CORS preflight, a method check, and
 * errors answered as JSON with a stable code.
 */
export function endpoint(methods: string[], handle: Handler): Handler {
  return async (request) => {
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders });
    try {
      if (!methods.includes(request.method)) {
        throw new AppError('METHOD_NOT_ALLOWED', `Use ${methods.join(' or ')}.`);
      }
      return await handle(request);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
