/**
 * lite answers SQL errors it has no rule for (a check violation 23514, `raise exception` P0001,
 * ...) with HTTP 500 `{ code: 'SUP' }`; PostgREST answers them with their SQLSTATE and the status
 * its error table gives. lite does pass through a `PGRST` error (PostgREST's "raise with a custom
 * response"), so those errors are rewritten into one before lite maps them.
 * https://docs.postgrest.org/en/stable/references/errors.html
 */
export function answerErrorsAsPostgrest(connection: { normalizeDbError(error: unknown): unknown }) {
  const normalize = connection.normalizeDbError.bind(connection);
  connection.normalizeDbError = (error) => {
    const normalized = normalize(error) as PgError | undefined;
    const status = normalized && postgrestStatus(normalized.code);
    if (!status) return normalized;
    return Object.assign(new Error(normalized.message), {
      code: 'PGRST',
      message: JSON.stringify({
        code: normalized.code,
        message: normalized.message,
        details: normalized.detail ?? null,
        hint: normalized.hint ?? null,
      }),
      detail: JSON.stringify({ status, headers: {} }),
    });
  };
}

interface PgError {
  code?: unknown;
  message: string;
  detail?: string;
  hint?: string;
}

/** PostgREST's status for the SQLSTATEs lite does not map itself; undefined leaves lite's answer. */
function postgrestStatus(code: unknown): number | undefined {
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  // lite's own rules cover these the way PostgREST does.
  if (/^(PT|42|22|21|55|53)/.test(code) || ['23502', '23503', '23505', '25006'].includes(code)) return undefined;
  if (code === '23P01') return 409;
  if (code.startsWith('23') || code === 'P0001' || /^(F0|HV)/.test(code)) return 400;
  if (code.startsWith('28')) return 403;
  if (code.startsWith('54')) return 413;
  if (code.startsWith('P0') || /^(25|2D|38|39|3B|40|57|58|XX)/.test(code)) return 500;
  return 400;
}
