/**
 * @supabase/lite serves the local Data API, Auth and Storage. Where it answers otherwise than
 * the platform (PostgREST, GoTrue, Storage), the devstack mends it; `mends` lists every mend, so
 * that an upgrade of lite knows what to re-check. Each mend names the test that fails without it:
 * after an upgrade, run the tests, and for each mend try the upgrade without it (its `recheck`
 * says how) and drop it once lite answers as the platform does by itself.
 *
 * The rest of the stack reaches lite's mends only through this module.
 */

export { AuthMailer } from './auth-mailer.ts';
export { importMendedLite } from './bundle.ts';
export { connectLite, localSocket } from './connection.ts';
export { holdErrorsOfQuietRequests, serveRequest } from './request-failures.ts';
export { checkRequestLimits, mendTooManyValues } from './request-limits.ts';
export { reloadSchemaOnNotify } from './schema-reload.ts';
export { answerStorageError, isStoragePath, serveStorage } from './storage.ts';
export { FilesystemStorageAdapter } from './storage-adapter.ts';
export { RESUMABLE_CHUNK, resumableUploads } from './storage-resumable.ts';
export { refuseUntrustedToken } from './token-claims.ts';

/** The version of lite every mend was last checked against; packages/devstack/package.json pins it. */
export const checkedAgainst = '0.10.0';

export interface Mend {
  /** What lite does. */
  lite: string;
  /** What the platform does, and the mend makes the local stack do. */
  platform: string;
  /** Where the mend lives, relative to packages/devstack. */
  where: string[];
  /** The test that fails without it: `file › test name`, the file relative to the repository. */
  test: string;
  /** What to look at in a new version of lite. */
  recheck: string;
}

export const mends: Mend[] = [
  // The Postgres connection (connection.ts)
  {
    lite: 'serializes a json/jsonb function argument twice: the function gets a JSON string',
    platform: 'PostgREST hands the function the array or object sent',
    where: ['src/lite/postgrest-types.ts'],
    test: 'tests/finance/splits.test.ts › share one transaction between categories, the parts always summing to the whole',
    recheck: "without the json/jsonb type options, does rpc('set_transaction_splits', { parts: [...] }) work?",
  },
  {
    lite: 'answers numeric as a string ("1.5000")',
    platform: 'PostgREST writes a JSON number',
    where: ['src/lite/postgrest-types.ts'],
    test: 'tests/stack/postgrest-values.test.ts › answers numeric as a JSON number',
    recheck: 'without the numeric type option, is a numeric column a number?',
  },
  {
    lite: 'answers SQL errors it has no rule for (23514, P0001, ...) with 500 `SUP`',
    platform: "PostgREST answers the SQLSTATE as `code` with its error table's status (400 for 23514)",
    where: ['src/lite/postgrest-errors.ts'],
    test: 'tests/tenancy/organizations.test.ts › refuse an unknown currency or time zone with the constraint that failed, and a blank name',
    recheck:
      'normalizeDbError still exists and returns { code, message, detail, hint }; lite still passes `PGRST` errors through',
  },
  {
    lite: "on its first request grants everything in every schema with an RLS table to the API roles (rlsState 'unknown')",
    platform: 'grants are what the migrations grant',
    where: ['src/lite/connection.ts'],
    test: 'tests/stack/row-level-security.test.ts › shows an anonymous client nothing: the table is not granted to anon',
    recheck: 'PostgresConnection still has rlsState and ensureRlsContext; better, an option to leave grants alone',
  },
  {
    lite: "pins a connection with the driver's reserve(); postgres.js 3.4 then crashes the process when that connection's backend died (porsager/postgres#1208), and never answers a query sent between its socket's error and close (the ROLLBACK after a failed COMMIT hung its request)",
    platform: 'PostgREST survives a lost connection and fails only the requests on it',
    where: ['src/lite/sessions.ts'],
    test: 'tests/devstack/faults.test.ts › keeps every acknowledged insert and exact totals when its database connections are killed',
    recheck:
      "lite's Kysely dialect still calls driver.reserve() and unsafe()/release(); postgres.js fixed #1208 and answers a query sent after ECONNRESET",
  },
  {
    lite: 'answers a request whose database connection was lost with 500 (`SUP`, `server_error`) or a 404 for every table',
    platform: 'a client should learn it may retry: 503 DATABASE_UNAVAILABLE with Retry-After',
    where: ['src/lite/request-failures.ts', 'src/lite/sessions.ts'],
    test: 'tests/devstack/faults.test.ts › answers 503 DATABASE_UNAVAILABLE while the database refuses connections, and serves again after',
    recheck: 'how lite answers while Postgres refuses connections',
  },
  {
    lite: 'prints every failed query with its stack on console.error (no logger option), refusals included',
    platform: 'a quiet (test) stack prints what lite logged only for a request that failed with a 5xx',
    where: ['src/lite/request-failures.ts'],
    test: 'tests/devstack/faults.test.ts › prints what lite logged for a request that failed, and nothing for a refusal',
    recheck: 'whether lite takes a logger now',
  },
  {
    lite: "does not listen for `notify pgrst, 'reload schema'`",
    platform: 'PostgREST reloads its schema cache on it (sent by the DDL event triggers)',
    where: ['src/lite/schema-reload.ts'],
    test: 'tests/devstack/faults.test.ts › answers 503 DATABASE_UNAVAILABLE while the database refuses connections, and serves again after',
    recheck: 'connection.clearSchemaCache() still exists',
  },
  {
    lite: "sets a request's context with one statement per setting, each awaited: 11 round trips before an RPC's query, 6 before a read's",
    platform:
      'PostgREST sets them in one statement; locally the claims, the RPC settings and read-only go in one select of set_config calls',
    where: ['src/lite/request-context.ts'],
    test: "tests/devstack/lite-mends.test.ts › sets a request's context in one statement, with the values lite sets",
    recheck:
      'PostgresConnection.applyJwtSessionContext and applyRpcRequestGucs: their names, arguments and settings; better, lite batching them itself',
  },
  {
    lite: "applies none of the API roles' own settings (`alter role authenticated set plan_cache_mode = ...`): `set role` does not",
    platform:
      "PostgREST applies the impersonated role's settings to each request, in the statement that sets its claims",
    where: ['src/lite/role-settings.ts', 'src/lite/request-context.ts', 'src/lite/schema-reload.ts'],
    test: "tests/devstack/lite-mends.test.ts › applies the settings of the request's role as PostgREST does, read again on 'reload config'",
    recheck: 'whether lite applies role settings itself (then drop RoleSettings)',
  },
  {
    lite: "connects by the URL's host and port: loopback TCP to the embedded Postgres, whose kernel path costs each of a request's four round trips",
    platform:
      'PostgREST beside its Postgres is given the Unix socket; locally lite uses /tmp/.s.PGSQL.<port> when the Postgres behind its URL has one (the embedded one does)',
    where: ['src/lite/connection.ts', 'src/postgres.ts'],
    test: 'tests/devstack/lite-mends.test.ts › talks to a Postgres on this machine through its Unix socket',
    recheck: "lite's createPostgresConnection still hands postgresOptions (path) to postgres()",
  },
  // lite's own code (bundle.ts)
  {
    lite: "for every REST request rebuilds its response-type map from the whole schema cache (~1 ms), scans every column and foreign key of the cache to find a table's columns and an embedding's relationship, copies every row to convert nothing, verifies the token and reads auth.users and auth.sessions only to discard the outcome, and imports the JWT secret as a WebCrypto key",
    platform:
      'PostgREST derives what it needs from the schema cache once per reload and only verifies the JWT (signature, exp): a signed-out access token is served until it expires',
    where: ['src/lite/bundle.ts'],
    test: "tests/stack/schema-cache.test.ts › serves a column added after the first requests, once the schema is reloaded, with PostgREST's values",
    recheck:
      'the stack refuses to start when an edit of bundle.ts no longer matches; drop each edit lite makes upstream',
  },
  // The App's options (data-api.ts)
  {
    lite: 'serves a request without an API key as service_role unless `server.admin` is false',
    platform: 'a request without an API key is refused',
    where: ['src/data-api.ts'],
    test: 'tests/stack/postgrest-values.test.ts › refuses a request without an API key',
    recheck: 'the `options.server.admin` option',
  },
  // Auth (the auth part of the platform SQL)
  {
    lite: 'writes user metadata (raw_user_meta_data, raw_app_meta_data) as a JSON string holding the object',
    platform: 'GoTrue writes the object, which triggers on auth.users read',
    where: ['sql/platform/auth.sql'],
    test: 'tests/tenancy/sign-up.test.ts › gets a profile and a personal household they own, in the locale they signed up with',
    recheck: "getAuthSchemaSql(true)'s auth.users; drop the trigger and sign up with metadata",
  },
  {
    lite: 'renders Auth email templates by replacing `{{ .Name }}` only (no `if`/`else`/`eq`, no `.Data.x`), passes no user metadata as `.Data`, and builds `{{ .ConfirmationURL }}` on site_url (the app)',
    platform:
      "GoTrue renders subjects and bodies as Go templates with the user's metadata as `.Data`, and links to its verify endpoint on the API URL",
    where: ['src/lite/auth-mailer.ts', 'src/lite/go-template.ts', 'src/data-api.ts'],
    test: 'tests/mail/auth-emails.test.ts › confirms a sign-up by the link in the mail, in the language the user signed up with',
    recheck: "App's `_mailer` option and the Mailer interface; whether lite's renderer evaluates `if`/`eq` and `.Data`",
  },
  // Request limits at the gateway (request-limits.ts)
  {
    lite: 'has no body size limit: a 10 MB write fails inside it',
    platform:
      "413: Data API bodies over 5 MiB (PAYLOAD_TOO_LARGE), Auth bodies over GoTrue's 1 MiB (request_entity_too_large)",
    where: ['src/lite/request-limits.ts'],
    test: 'tests/stack/bad-input.test.ts › a 10 MB insert of 50,000 rows',
    recheck: 'whether lite limits bodies itself',
  },
  {
    lite: "answers a write binding more than its driver's 65,534 parameters with 500 `SUP` (MAX_PARAMETERS_EXCEEDED)",
    platform: 'PostgREST sends the body as one parameter; locally such a write is refused with 413 PAYLOAD_TOO_LARGE',
    where: ['src/lite/request-limits.ts'],
    test: 'tests/stack/bad-input.test.ts › an insert of more values than the local Data API binds (40,000 short rows)',
    recheck: "lite's message for too many parameters (MAX_PARAMETERS_EXCEEDED)",
  },
  {
    lite: "overflows Node's stack on JSON nested thousands deep, and on `select`/`and`/`or` nested hundreds deep (500)",
    platform: '413 JSON_TOO_DEEP beyond 1,000 levels (Auth: 400 bad_json); 400 PGRST100 beyond 100 parentheses',
    where: ['src/lite/request-limits.ts'],
    test: 'tests/stack/bad-input.test.ts › a select embedding 1,000 levels deep',
    recheck: 'how deep lite walks a body and a query string',
  },
  {
    lite: 'throws (500) on a path or query that is not valid percent-encoding',
    platform: '400 MALFORMED_URL (Auth: validation_failed)',
    where: ['src/lite/request-limits.ts'],
    test: 'tests/stack/bad-input.test.ts › a path that is not valid percent-encoding',
    recheck: 'where lite decodes the URL',
  },
  {
    lite: 'fails with 500 on Auth text holding a NUL, an email over 255 characters, and a JSON null body',
    platform: 'GoTrue answers 400 validation_failed (email) and bad_json (not an object)',
    where: ['src/lite/request-limits.ts'],
    test: 'tests/stack/bad-input.test.ts › a sign-up with a 300-character email',
    recheck: "lite's email validation and auth.users column sizes",
  },
  // Tokens at the gateway (token-claims.ts)
  {
    lite: 'sets whatever role a verified token names (a token naming `postgres` runs as the superuser) and accepts tokens without `exp`',
    platform:
      "PostgREST's authenticator becomes only anon, authenticated or service_role (401 42501 otherwise); locally a token without exp is refused (401 PGRST303)",
    where: ['src/lite/token-claims.ts'],
    test: 'tests/auth/tokens.test.ts › refuses a token naming postgres or any role but anon, authenticated and service_role',
    recheck: 'how lite verifies a bearer JWT for /rest/v1 and /storage/v1 (its `go` helper), and which roles it sets',
  },
  // Auth at the gateway (src/auth/, in front of lite for /auth/v1)
  {
    lite: 'has no admin API (/admin/users, /invite, /admin/generate_link): 404',
    platform: "GoTrue's admin API for the secret key, 403 not_admin for any other caller",
    where: ['src/auth/admin.ts', 'src/auth/users.ts'],
    test: 'tests/auth/admin.test.ts › creates, reads, updates, lists and deletes users with the secret key',
    recheck: 'whether lite serves /auth/v1/admin/* now (STATUS.md, Auth API: Planned)',
  },
  {
    lite: 'verifies only signup, magiclink, recovery, email_change and reauthentication codes',
    platform: "GoTrue's invite and email types verify too (locally mapped to lite's magiclink, which finds both codes)",
    where: ['src/auth/index.ts'],
    test: 'tests/auth/admin.test.ts › generates magic link, recovery and invite links whose codes sign the user in',
    recheck: "lite's verify types (`Pg`) and getTokenColumnsForType",
  },
  {
    lite: 'has no MFA (/factors answers 404, a JSON parse error in supabase-js) and no auth.mfa_* tables',
    platform: "GoTrue's TOTP factors: enroll with QR code, challenge, verify (aal2), unenroll, factors in the user",
    where: ['src/auth/mfa.ts', 'sql/platform/auth-mfa.sql'],
    test: 'tests/auth/mfa.test.ts › enrolls a factor with a QR code, verifies a code, and raises the session to aal2',
    recheck: 'whether lite serves /auth/v1/factors now (STATUS.md, mfa.*)',
  },
  {
    lite: 'signs access tokens with sub, aud, role, email and session_id only; records no user agent or IP on a session',
    platform:
      "GoTrue's tokens carry aal, amr, app_metadata, user_metadata, is_anonymous; sessions keep user agent and IP",
    where: ['src/auth/sessions.ts'],
    test: 'tests/auth/sessions.test.ts › records each session with its user agent, IP and times',
    recheck: "the claims of lite's access tokens (its `Fc` signer) and its createSession",
  },
  {
    lite: 'answers a rotated refresh token with the current one however late',
    platform:
      'only within refresh_token_reuse_interval; later reuse revokes the session (400 refresh_token_already_used)',
    where: ['src/auth/sessions.ts'],
    test: 'tests/auth/sessions.test.ts › rotate; an old one works only within the reuse interval, and a later reuse revokes the session',
    recheck: "lite's refreshWithRevokedToken",
  },
  {
    lite: 'enforces no [auth.rate_limit] (lite has no such setting)',
    platform:
      "GoTrue's per-client buckets (burst 30) answering 429 over_request_rate_limit / over_email_send_rate_limit",
    where: ['src/auth/rate-limits.ts'],
    test: 'tests/auth/rate-limits.test.ts › answers sign-ups beyond the limit with 429 over_request_rate_limit',
    recheck: 'whether lite takes rate limits in its auth config',
  },
  {
    lite: 'answers a sign-up of a registered address with 429 over_email_send_rate_limit while confirmations are on',
    platform: 'GoTrue answers as for a new address (an obfuscated user), so sign-up tells no one who is registered',
    where: ['src/auth/index.ts'],
    test: 'tests/auth/sign-up-privacy.test.ts › answers a sign-up of a registered address as of a new one',
    recheck: "lite's signUp for an existing email",
  },
  // Storage at the gateway (storage.ts)
  {
    lite: 'checks allowed_mime_types against, stores and serves the type the uploader declared',
    platform:
      'the type is sniffed from the bytes (stricter than Storage, which trusts the declared type: docs/attachments.md)',
    where: ['src/lite/storage.ts', 'src/lite/content-sniffing.ts'],
    test: 'tests/stack/storage-file-types.test.ts › stores an image declared as something else with the type of its bytes',
    recheck: 'how lite reads an upload (raw body, content-type, x-metadata, cache-control headers)',
  },
  {
    lite: 'reads multipart form data only on POST, so update() and uploadToSignedUrl() of a File store the form itself',
    platform: 'Storage reads the form on every upload route',
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/storage-uploads.test.ts › replaces a file with update(), as a browser replaces a File',
    recheck: "lite's upload routes",
  },
  {
    lite: 'serves a download inline under its stored type',
    platform:
      'downloads carry nosniff, and Content-Disposition: attachment unless png, jpeg, gif or webp (stricter than Storage)',
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/storage-file-types.test.ts › serves an SVG declared as image/png as SVG, to be saved, never sniffed',
    recheck: "the headers of lite's downloads",
  },
  {
    lite: "lets jose's error escape as a 500 for an expired or broken signed URL token; answers 403 `Invalid token` for a token of another file",
    platform: 'Storage answers 400 InvalidJWT, and 400 InvalidSignature for a token of another file',
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/bad-input.test.ts › an expired signed URL',
    recheck: 'how lite signs (HS256, the JWT secret) and verifies signed URL tokens',
  },
  {
    lite: 'routes createSignedUrls to its one-file handler, which fails the whole request',
    platform: 'Storage signs each path it may, `signedURL` null for the others',
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/storage-uploads.test.ts › signs several files at once, and no file the user may not read',
    recheck: 'POST /object/sign/<bucket>',
  },
  {
    lite: 'answers signing with `signedUrl` (storage-js hands out ".../storage/v1undefined") and createSignedUploadUrl with `{ signedUrl, token, path }`',
    platform: 'Storage answers `signedURL`, and `{ url, token }`, relative to /storage/v1',
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/storage-uploads.test.ts › stores a file uploaded to a signed upload URL by someone without a session',
    recheck: 'the bodies of the signing answers',
  },
  {
    lite: 'answers errors without `code` and names some otherwise; 401 for a bearer token that is no JWT; 500 for a body that is not JSON',
    platform:
      "Storage's `{ statusCode, code, error, message }` (NoSuchKey, InvalidMimeType, ...); 400 AccessDenied; 400 InvalidRequest",
    where: ['src/lite/storage.ts'],
    test: 'tests/stack/bad-input.test.ts › a Storage call with a token that is no JWT',
    recheck: "lite's error bodies (its `error` names are the keys of STORAGE_ERRORS)",
  },
  {
    lite: "writes an object's metadata (metadata, user_metadata) as a JSON string holding the object",
    platform: 'Storage writes the object ({ size, mimetype, ... }), which policies and triggers read',
    where: ['sql/platform/storage-metadata.sql'],
    test: 'tests/attachments/linking.test.ts › takes the type and size from the stored file, not from what the client claims',
    recheck: "getStorageSchemaSql(true)'s storage.objects; drop the trigger and upload",
  },
  {
    lite: 'serves no resumable uploads (TUS, /storage/v1/upload/resumable): 404',
    platform:
      "Storage's @tus/server: 6 MB chunks but the last, a deferred length, a 409 for a chunk at an old offset, 404/410 for an unknown/expired URL (24 h), the finished object like any other",
    where: ['src/lite/storage-resumable.ts', 'src/lite/storage.ts', 'src/lite/storage-adapter.ts'],
    test: 'tests/stack/storage-resumable.test.ts › answers a chunk sent again at its old offset with 409, so nothing is appended twice',
    recheck: 'whether lite serves /storage/v1/upload/resumable now (STATUS.md, Storage API)',
  },
  {
    lite: 'does not export its filesystem adapter, and serves a download with the type it reports',
    platform: 'each object is served with the type and Cache-Control it was stored with',
    where: ['src/lite/storage-adapter.ts'],
    test: 'tests/stack/storage-file-types.test.ts › serves a PNG inline, never sniffed',
    recheck: "the StorageAdapter interface and App's private `_storageAdapter`",
  },
];
