import { errors as joseErrors, jwtVerify } from 'jose';

/** GoTrue's error body (`{ code, error_code, msg }`) with its `x-sb-error-code` header. */
export function authError(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return Response.json(
    { code: status, error_code: code, msg: message, ...extra },
    { status, headers: { 'x-sb-error-code': code } },
  );
}

/** A request's JSON object body, or null when it has none or it is not an object. */
export async function readJson(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const body = (await request.clone().json()) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface Claims {
  sub?: string;
  role?: string;
  session_id?: string;
  exp?: number;
  [claim: string]: unknown;
}

/** The verified claims of the request's bearer token, or the GoTrue answer refusing it. */
export async function bearerClaims(request: Request, jwtSecret: string): Promise<Claims | Response> {
  const token = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (!token || token.startsWith('sb_')) {
    return authError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  }
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), { algorithms: ['HS256'] });
    return payload as Claims;
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    return authError(
      403,
      'bad_jwt',
      expired
        ? 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired'
        : 'invalid JWT: unable to parse or verify signature, token signature is invalid',
    );
  }
}

export function isAnswer(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;
}
