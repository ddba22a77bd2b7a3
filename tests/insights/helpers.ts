import { FunctionsHttpError } from '@supabase/supabase-js';
import type { TestUser } from '../helpers/clients.ts';

/** POST /functions/v1/insights through supabase-js: the answer, or the error's status and code. */
export async function insights<T = Record<string, unknown>>(
  user: TestUser,
  body: Record<string, unknown>,
): Promise<{ status: number; data: T | null; code: string | null }> {
  const { data, error } = await user.client.functions.invoke('insights', { body });
  if (!error) return { status: 200, data: data as T, code: null };
  if (!(error instanceof FunctionsHttpError)) throw error;
  const response = error.context as Response;
  const answer = (await response.json()) as { error: { code: string } };
  return { status: response.status, data: null, code: answer.error.code };
}
