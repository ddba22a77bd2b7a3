import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How a request lite fails is answered and logged: with a 503 when the database could not be
 * reached, and, on a quiet stack, with what lite printed meanwhile shown only then.
 */

/** The request being served, wherever lite's code runs for it. */
interface RequestState {
  /** It lost its database connection (or could not get one). */
  databaseUnavailable: boolean;
  /** What lite printed with console.error meanwhile, held in quiet mode. */
  held?: unknown[][];
}

const requests = new AsyncLocalStorage<RequestState>();
let holdingErrors = false;
let printError: (...args: unknown[]) => void;

/** Serves one request through lite (`serve`), mending its answer where it failed. */
export async function serveRequest(serve: () => Promise<Response>, { quiet }: { quiet: boolean }): Promise<Response> {
  const state: RequestState = { databaseUnavailable: false, held: quiet ? [] : undefined };
  const response = await requests.run(state, serve);
  // Not only a 500: lite answers 404 for every table when its schema introspection lost
  // its connection. A success stands: a committed write must be acknowledged.
  if (state.databaseUnavailable && !response.ok) return databaseUnavailable();
  // A refusal (4xx) or an error the SQL raised on purpose (PTxxx) is the client's answer;
  // a failure of the stack must show.
  if (response.status >= 500) for (const args of state.held ?? []) if (!raisedOnPurpose(args)) printError(...args);
  return response;
}

/** Marks the request being served as one that could not reach the database. */
export function noteConnectionFailure(): void {
  const request = requests.getStore();
  if (request) request.databaseUnavailable = true;
}

/**
 * lite prints every failed query with its stack (console.error, no logger option), refusals that
 * tests provoke on purpose included: thousands of lines in a passing run. While a quiet stack
 * serves a request, what lite prints is held instead, to be printed if the request fails.
 */
export function holdErrorsOfQuietRequests(): void {
  if (holdingErrors) return;
  holdingErrors = true;
  const print = console.error;
  printError = (...args) => print.apply(console, args);
  console.error = (...args: unknown[]) => {
    const held = requests.getStore()?.held;
    if (held) held.push(args);
    else printError(...args);
  };
}

/** A `raise sqlstate 'PT5xx'` (ID_SEQUENCE_FAILED...): the status the SQL chose, not a failure. */
function raisedOnPurpose(args: unknown[]): boolean {
  return args.some((arg) => /^PT\d{3}$/.test(String((arg as { code?: unknown } | null)?.code)));
}

/**
 * While Postgres is down or restarting, lite answers whatever failed with 500 (`SUP` from the
 * Data API, `server_error` from Auth) or worse; a client should rather learn that it may retry.
 * The body has the Data API's error shape, for every path.
 */
function databaseUnavailable(): Response {
  return Response.json(
    {
      code: 'DATABASE_UNAVAILABLE',
      message: 'The database is not reachable at the moment; try again shortly.',
      details: null,
      hint: null,
    },
    { status: 503, headers: { 'retry-after': '1' } },
  );
}
