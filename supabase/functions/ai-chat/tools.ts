import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { boundedJson, MAX_TOOL_ANSWER_CHARS } from '@westwallet/shared/chat';
import type OpenAI from 'openai';
import { z } from 'zod';

/**
 * The tools the model may call: our read RPCs and tables, run through the Data API with the
 * user's own token, so row-level security decides what the model sees, as it decides what the
 * user's browser sees. Every tool only reads, so a viewer gets the same tools as an owner. The
 * organization is always the one the chat is about: the model never chooses it.
 */

const isoDate = z.iso.date();
const tools = {
  search_transactions: {
    description:
      'Transactions newest first, filtered by words in payee or text, dates, amount range (minor units), category or kind. At most 25.',
    args: z.strictObject({
      text: z.string().max(200).optional(),
      from_date: isoDate.optional(),
      to_date: isoDate.optional(),
      min_amount_minor: z.number().int().min(0).max(1e15).optional(),
      max_amount_minor: z.number().int().min(0).max(1e15).optional(),
      category_id: z.uuid().optional(),
      kind: z.enum(['expense', 'income', 'transfer']).optional(),
      limit: z.number().int().min(1).max(25).default(10),
    }),
    run: (api: SupabaseClient, orgId: string, a: Record<string, unknown>) =>
      api
        .rpc('search_transactions', {
          org_id: orgId,
          text_query: a.text ?? null,
          from_date: a.from_date ?? null,
          to_date: a.to_date ?? null,
          min_amount_minor: a.min_amount_minor ?? null,
          max_amount_minor: a.max_amount_minor ?? null,
          category_id: a.category_id ?? null,
          kind: a.kind ?? null,
          max_rows: a.limit,
        })
        .select(
          'id, reference, booked_on, kind, amount_minor, currency, counterparty, description, category_id, vendor_id',
        ),
  },
  dashboard: {
    description:
      'Income, expenses, fixed against variable, by category and top vendors, budgets, for whole months from from_date to to_date.',
    args: z.strictObject({ from_date: isoDate, to_date: isoDate }),
    run: (api: SupabaseClient, orgId: string, a: Record<string, unknown>) =>
      api.rpc('dashboard', { org_id: orgId, from_date: a.from_date, to_date: a.to_date }),
  },
  expense_stats: {
    description: 'A year month by month: income, expenses, and each category per month.',
    args: z.strictObject({ year: z.number().int().min(1900).max(2200) }),
    run: (api: SupabaseClient, orgId: string, a: Record<string, unknown>) =>
      api.rpc('expense_stats', { org_id: orgId, year: a.year }),
  },
  account_balances: {
    description: "Each account's balance in its own currency.",
    args: z.strictObject({}),
    run: (api: SupabaseClient, orgId: string) => api.rpc('account_balances', { org_id: orgId }),
  },
  contract_stats: {
    description:
      'Running contracts and subscriptions: monthly and yearly cost, by category, ending, notice deadlines and payments within the next days.',
    args: z.strictObject({ within_days: z.number().int().min(1).max(366).default(30) }),
    run: (api: SupabaseClient, orgId: string, a: Record<string, unknown>) =>
      api.rpc('contract_stats', { org_id: orgId, within_days: a.within_days, max_rows: 25 }),
  },
  categories: {
    description: 'The categories: id, name, kind, parent.',
    args: z.strictObject({}),
    run: (api: SupabaseClient, orgId: string) =>
      api.from('categories').select('id, name, kind, parent_id').eq('org_id', orgId).is('deleted_at', null),
  },
} as const;

export type ToolName = keyof typeof tools;

/** The tools as OpenAI's `tools` parameter, their parameters as JSON Schema from the zod schemas. */
export const toolDefinitions: OpenAI.Chat.Completions.ChatCompletionTool[] = Object.entries(tools).map((
  [name, tool],
) => ({
  type: 'function',
  function: { name, description: tool.description, parameters: z.toJSONSchema(tool.args, { io: 'input' }) },
}));

/** A Data API client acting as the user: their token, so their row-level security applies. */
export function userClient(token: string): SupabaseClient {
  const url = Deno.env.get('SUPABASE_URL') as string;
  const apiKey = (Deno.env.get('SUPABASE_ANON_KEY') ?? Deno.env.get('SUPABASE_PUBLISHABLE_KEY')) as string;
  return createClient(url, apiKey, {
    global: { headers: { Authorization: `Bearer ${token}` } },
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/**
 * Runs one tool call as the user. Whatever goes wrong (an unknown tool, arguments that are not
 * JSON or not the schema, the Data API refusing) is the tool's answer, for the model to read: a
 * malformed call never fails the message. Answers are bounded to MAX_TOOL_ANSWER_CHARS.
 */
export async function runTool(
  api: SupabaseClient,
  orgId: string,
  name: string,
  rawArguments: string,
): Promise<{ ok: boolean; content: string }> {
  const fail = (code: string, details?: unknown) => ({ ok: false, content: JSON.stringify({ error: code, details }) });
  if (!Object.hasOwn(tools, name)) return fail('UNKNOWN_TOOL', `Tools: ${Object.keys(tools).join(', ')}.`);
  const tool = tools[name as ToolName];
  let parsedJson: unknown;
  try {
    parsedJson = rawArguments.trim() ? JSON.parse(rawArguments) : {};
  } catch {
    return fail('ARGUMENTS_NOT_JSON');
  }
  const parsed = tool.args.safeParse(parsedJson);
  if (!parsed.success) {
    return fail('ARGUMENTS_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const { data, error } = await tool.run(api, orgId, parsed.data as Record<string, unknown>);
  if (error) return fail(error.message || 'TOOL_FAILED', error.details);
  return { ok: true, content: boundedJson(data, MAX_TOOL_ANSWER_CHARS) };
}
