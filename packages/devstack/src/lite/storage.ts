import { createHmac, timingSafeEqual } from 'node:crypto';
import { sniffContentType } from './content-sniffing.ts';
import { isResumablePath, type ResumableUploads } from './storage-resumable.ts';

/**
 * Where @supabase/lite's Storage API answers otherwise than Supabase Storage
 * (https://github.com/supabase/storage), mended at the gateway: requests before lite sees them,
 * answers after.
 */

const OBJECT = '/storage/v1/object';
/** An object's own route, not one of the object routes whose first segment is a verb. */
const OBJECT_KEY = new RegExp(`^${OBJECT}/(?!(?:sign|list|move|copy|info|public|authenticated|upload)/)[^/]+/.+`);
const SIGNED_UPLOAD = new RegExp(`^${OBJECT}/upload/sign/[^/]+/.+`);
const SIGNED_DOWNLOAD = new RegExp(`^${OBJECT}/sign/[^/]+/.+`);
const SIGN_MANY = new RegExp(`^${OBJECT}/sign/[^/]+$`);
const PUBLIC_DOWNLOAD = new RegExp(`^${OBJECT}/(?:public|authenticated)/[^/]+/.+`);

/** Types a browser shows inline without running anything: images whose formats carry no script. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * Storage's rendering of each error lite answers with, by lite's `error`: lite sends no `code`,
 * which storage-js hands to callers as `error.code`, and names some errors otherwise.
 */
const STORAGE_ERRORS: Record<string, { code: string; error?: string; status?: number; statusCode?: string }> = {
  Duplicate: { code: 'KeyAlreadyExists' },
  'Bucket not found': { code: 'NoSuchBucket' },
  not_found: { code: 'NoSuchKey' },
  'Payload too large': { code: 'EntityTooLarge' },
  invalid_mime_type: { code: 'InvalidMimeType' },
  'Invalid key': { code: 'InvalidKey', error: 'InvalidKey' },
  Unauthorized: { code: 'AccessDenied' },
  InvalidRequest: { code: 'InvalidRequest' },
  ResourceNotEmpty: { code: 'ResourceNotEmpty' },
  // A bearer token that does not verify: lite answers 401, Storage 400 AccessDenied ('403').
  InvalidJWT: { code: 'AccessDenied', error: 'Unauthorized', status: 400, statusCode: '403' },
};

export function isStoragePath(pathname: string): boolean {
  return pathname === '/storage/v1' || pathname.startsWith('/storage/v1/');
}

/**
 * Serves a Storage request through lite (`send`), mending the request before and the answer
 * after where lite differs from Storage. `jwtSecret` signs the tokens of signed URLs.
 */
export async function serveStorage(
  request: Request,
  options: { jwtSecret: string; send: (request: Request) => Promise<Response>; resumable: ResumableUploads },
): Promise<Response> {
  const url = new URL(request.url);
  const { pathname } = url;
  const { method } = request;
  if (isResumablePath(pathname)) return options.resumable.handle(request);
  if ((method === 'GET' && SIGNED_DOWNLOAD.test(pathname)) || (method === 'PUT' && SIGNED_UPLOAD.test(pathname))) {
    const refusal = checkSignedUrlToken(url.searchParams.get('token'), options.jwtSecret);
    if (refusal) return refusal;
  }
  const upload =
    (['POST', 'PUT'].includes(method) && OBJECT_KEY.test(pathname)) ||
    (method === 'PUT' && SIGNED_UPLOAD.test(pathname));
  const mended = upload ? await storeSniffedType(request) : await withValidJson(request);
  if (!mended) return storageError(400, 'InvalidRequest', upload ? 'No content provided' : 'Body is not valid JSON');
  if (method === 'POST' && SIGN_MANY.test(pathname)) return signEach(mended, options.send);
  const response = await options.send(mended);
  if (!response.ok) return answerStorageError(response);
  if (method === 'POST' && SIGNED_DOWNLOAD.test(pathname)) return answerSignedUrl(response);
  if (method === 'POST' && SIGNED_UPLOAD.test(pathname)) return answerSignedUploadUrl(response);
  const download =
    ['GET', 'HEAD'].includes(method) &&
    (OBJECT_KEY.test(pathname) || SIGNED_DOWNLOAD.test(pathname) || PUBLIC_DOWNLOAD.test(pathname));
  return download ? serveSafely(url, response) : response;
}

/**
 * An upload's bytes with the type sniffed from them, as one raw body. lite would check the
 * bucket's `allowed_mime_types` against, store and later serve the type the uploader declared,
 * so an HTML page or SVG declared `image/png` passed as an image and was served as a page.
 * Storage reads multipart form data on every upload route and lite only on POST: supabase-js
 * sends a Blob or File as a form (an unnamed file field, `cacheControl`, `metadata`), so
 * `update()` and `uploadToSignedUrl()` of a File stored the form itself. The form's fields become
 * the headers lite reads for a raw body, as Storage reads them from the form. Undefined for a
 * form that is broken or holds no file.
 */
async function storeSniffedType(request: Request): Promise<Request | undefined> {
  const headers = new Headers(request.headers);
  let bytes: Uint8Array<ArrayBuffer>;
  let declared = headers.get('content-type');
  if (declared?.startsWith('multipart/form-data')) {
    const form = await request.formData().catch(() => undefined);
    if (!form) return undefined;
    const file = [...form.values()].find((value): value is File => typeof value !== 'string');
    if (!file) return undefined;
    bytes = new Uint8Array(await file.arrayBuffer());
    declared = stringField(form, 'contentType') ?? file.type;
    const cacheControl = stringField(form, 'cacheControl');
    headers.set('cache-control', cacheControl ? `max-age=${cacheControl}` : 'no-cache');
    const metadata = stringField(form, 'metadata');
    if (metadata) headers.set('x-metadata', Buffer.from(metadata).toString('base64'));
  } else {
    bytes = new Uint8Array(await request.arrayBuffer());
  }
  headers.set('content-type', await sniffContentType(bytes, declared));
  headers.set('content-length', String(bytes.length));
  return new Request(request.url, { method: request.method, headers, body: bytes });
}

/** lite failed with a 500 on a JSON body it could not parse, where Storage answers 400. */
async function withValidJson(request: Request): Promise<Request | undefined> {
  if (!request.body || !request.headers.get('content-type')?.includes('json')) return request;
  const body = await request.text();
  try {
    JSON.parse(body);
  } catch {
    return undefined;
  }
  return new Request(request.url, { method: request.method, headers: withoutLength(request.headers), body });
}

function stringField(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Storage verifies a signed URL's token first and answers a bad or expired one with 400
 * `InvalidJWT`; lite let jose's error escape as a 500. lite signs these tokens with HS256 and the
 * project's JWT secret.
 */
function checkSignedUrlToken(token: string | null, jwtSecret: string): Response | undefined {
  if (!token) return storageError(400, 'InvalidRequest', "querystring must have required property 'token'");
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || signature === undefined || rest.length > 0) {
    return storageError(400, 'InvalidJWT', 'Invalid Compact JWS');
  }
  const expected = createHmac('sha256', jwtSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return storageError(400, 'InvalidJWT', 'signature verification failed');
  }
  let claims: { exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return storageError(400, 'InvalidJWT', 'Invalid Compact JWS');
  }
  if (typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) {
    return storageError(400, 'InvalidJWT', '"exp" claim timestamp check failed');
  }
  return undefined;
}

/**
 * Storage's error body is `{ statusCode, code, error, message }`, sent with HTTP 400 for most
 * errors (the status in `statusCode`). For a signed URL's token that does not fit the URL lite
 * answers 403 `{ error: 'Invalid token' }` where Storage answers 400 `InvalidSignature`.
 */
export async function answerStorageError(response: Response): Promise<Response> {
  if (!response.headers.get('content-type')?.includes('application/json')) return response;
  const body = (await response.clone().json()) as { statusCode?: string; error?: string; message?: string };
  if (response.status === 403 && body.error === 'Invalid token') {
    return storageError(400, 'InvalidSignature', 'Invalid signature', '400');
  }
  const storage = body.statusCode && body.error ? STORAGE_ERRORS[body.error] : undefined;
  if (!storage) return response;
  const mended = {
    statusCode: storage.statusCode ?? body.statusCode,
    code: storage.code,
    error: storage.error ?? body.error,
    message: body.message,
  };
  return Response.json(mended, { status: storage.status ?? response.status, headers: withoutLength(response.headers) });
}

function storageError(status: number, code: string, message: string, statusCode = String(status)): Response {
  return Response.json({ statusCode, code, error: code, message }, { status });
}

/**
 * Storage answers a signing request with `signedURL`, relative to /storage/v1 (storage-js builds
 * the full URL from it); lite answers `signedUrl` with the prefix, which storage-js ignores and
 * hands out ".../storage/v1undefined". Rewrite lite's answer into the Storage API's.
 */
async function answerSignedUrl(response: Response): Promise<Response> {
  const { signedUrl } = (await response.json()) as { signedUrl: string };
  const mended = { signedURL: signedUrl.replace(/^\/storage\/v1/, '') };
  return Response.json(mended, { status: response.status, headers: withoutLength(response.headers) });
}

/**
 * `createSignedUrls`: lite routes it to its handler for one file, which finds no file named ''
 * and fails the whole request. Storage signs each path it may, answering `{ path, signedURL,
 * error }` per path with `signedURL` null where it may not; so each is signed through lite's
 * handler for one file.
 */
async function signEach(request: Request, send: (request: Request) => Promise<Response>): Promise<Response> {
  const { expiresIn, paths } = (await request.json()) as { expiresIn?: unknown; paths?: unknown };
  if (typeof expiresIn !== 'number' || !Array.isArray(paths) || paths.some((path) => typeof path !== 'string')) {
    return storageError(
      400,
      'InvalidRequest',
      "body must have properties 'expiresIn' (a number) and 'paths' (strings)",
    );
  }
  const headers = withoutLength(request.headers);
  const signed = await Promise.all(
    paths.map(async (path: string) => {
      const one = `${request.url}/${path.split('/').map(encodeURIComponent).join('/')}`;
      const response = await send(new Request(one, { method: 'POST', headers, body: JSON.stringify({ expiresIn }) }));
      if (!response.ok) {
        return { path, signedURL: null, error: 'Either the object does not exist or you do not have access to it' };
      }
      const { signedUrl } = (await response.json()) as { signedUrl: string };
      return { path, signedURL: signedUrl.replace(/^\/storage\/v1/, ''), error: null };
    }),
  );
  return Response.json(signed);
}

/**
 * Storage answers `createSignedUploadUrl` with `{ url, token }`, `url` relative to /storage/v1;
 * lite answers `{ signedUrl, token, path }`, from which storage-js finds no URL and fails with
 * "No token returned by API".
 */
async function answerSignedUploadUrl(response: Response): Promise<Response> {
  const { signedUrl, token } = (await response.json()) as { signedUrl: string; token: string };
  const mended = { url: signedUrl.replace(/^\/storage\/v1/, ''), token };
  return Response.json(mended, { status: response.status, headers: withoutLength(response.headers) });
}

/**
 * A download may not run in the browser as a page of ours: `nosniff` holds the browser to the
 * stored type, and anything but an image we show inline is saved as a file. Storage itself sends
 * `Content-Disposition` only when asked (`?download`, `?download=<name>`), which is kept.
 */
function serveSafely(url: URL, response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('X-Content-Type-Options', 'nosniff');
  const type = (headers.get('content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
  const asked = url.searchParams.get('download');
  if (asked !== null) {
    const name = encodeURIComponent(asked);
    headers.set(
      'Content-Disposition',
      asked ? `attachment; filename=${name}; filename*=UTF-8''${name}` : 'attachment;',
    );
  } else if (!INLINE_TYPES.has(type)) {
    const name = encodeURIComponent(decodedSegment(url.pathname.split('/').at(-1) ?? ''));
    headers.set('Content-Disposition', `attachment; filename*=UTF-8''${name}`);
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function withoutLength(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete('content-length');
  return copy;
}
