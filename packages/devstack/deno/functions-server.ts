/**
 * The local Edge Functions runtime: one Deno process serving every function under
 * supabase/functions as /<name>, the way the platform's edge runtime does behind
 * /functions/v1/<name>. Each function's `handler.ts` exports `handler(request)`; its `index.ts`
 * (what the platform runs) only wires that handler to `Deno.serve`.
 */

type Handler = (request: Request) => Response | Promise<Response>;

const functionsDir = Deno.env.get('DEVSTACK_FUNCTIONS_DIR') ?? '';
const port = Number(Deno.env.get('DEVSTACK_FUNCTIONS_PORT'));
const disabled = new Set((Deno.env.get('DEVSTACK_DISABLED_FUNCTIONS') ?? '').split(',').filter(Boolean));
const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const handlers = new Map<string, Promise<Handler>>();

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await Deno.stat(file)).isFile;
  } catch {
    return false;
  }
}

async function loadHandler(name: string): Promise<Handler | undefined> {
  const file = `${functionsDir}/${name}/handler.ts`;
  if (disabled.has(name) || !(await exists(file))) return undefined;
  let loading = handlers.get(name);
  if (!loading) {
    loading = import(new URL(`file://${file}`).href).then((module) => {
      if (typeof module.handler !== 'function') throw new Error(`${file} does not export a handler function`);
      return module.handler as Handler;
    });
    handlers.set(name, loading);
    // A module that failed to load is tried again on the next request, after the fix.
    loading.catch(() => handlers.delete(name));
  }
  return await loading;
}

/** Loads every function once at start, so the first request does not wait for npm downloads. */
async function warmUp(): Promise<void> {
  for await (const entry of Deno.readDir(functionsDir)) {
    if (!entry.isDirectory || !FUNCTION_NAME.test(entry.name)) continue;
    await loadHandler(entry.name).catch((error) => console.error(`function "${entry.name}" does not load:`, error));
  }
}

const warm = warmUp();

// The stack holds our stdin open: its end means the stack's process is gone, even killed with
// SIGKILL, which runs no exit handler, and the runtime must not outlive it.
(async () => {
  for await (const _ of Deno.stdin.readable) {
    // nothing is sent; reading only waits for the end
  }
  Deno.exit(0);
})();

Deno.serve({ port, hostname: '127.0.0.1', onListen: () => {} }, async (request) => {
  const name = new URL(request.url).pathname.split('/')[1] ?? '';
  if (name === '_ready') {
    await warm;
    return new Response('ok');
  }
  if (!FUNCTION_NAME.test(name)) return errorResponse(404, 'FUNCTION_NOT_FOUND', 'No function name in the path.');
  try {
    const handler = await loadHandler(name);
    if (!handler) return errorResponse(404, 'FUNCTION_NOT_FOUND', `No function named "${name}".`);
    return await handler(request);
  } catch (error) {
    // The stack trace is for the developer's console, never for the caller.
    console.error(`function "${name}" failed:`, error);
    return errorResponse(500, 'FUNCTION_FAILED', `Function "${name}" failed; see the server log.`);
  }
});
