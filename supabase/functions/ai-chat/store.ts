import { AppError } from '@westwallet/shared';
import { MAX_HISTORY_MESSAGES } from '@westwallet/shared/chat';
import type { AuthUser } from '../_shared/auth.ts';
import { asUser, db } from '../_shared/db.ts';
import type { ToolCallRecord, Turn } from './conversation.ts';

/** Who asks: a member (any role) of the organization, their language and its credit balance. */
export interface Asker {
  user: AuthUser;
  orgId: string;
  locale: string;
  balance: number;
}

export async function asker(user: AuthUser, orgId: string): Promise<Asker> {
  // require_org_role raises ORGANIZATION_NOT_FOUND, NOT_A_MEMBER or MFA_REQUIRED, as the Data API would.
  const [row] = await asUser(user, (sql) =>
    sql<{ locale: string | null; balance: number }[]>`
      select private.require_org_role(${orgId}, 'viewer'),
             (select p.locale::text from public.profiles p where p.user_id = ${user.id}) as locale,
             coalesce((select b.balance from public.credit_balances b where b.org_id = ${orgId}), 0)::float8 as balance`);
  return { user, orgId, locale: row.locale ?? 'en', balance: row.balance };
}

/** The answer already stored for this key, if the message was asked before (a retry). */
export async function storedAnswer(who: Asker, key: string) {
  const [row] = await db()<{ id: string; conversation_id: string; content: string }[]>`
    select id, conversation_id, content from public.chat_messages
    where org_id = ${who.orgId} and user_id = ${who.user.id} and idempotency_key = ${key} and role = 'assistant'`;
  return row;
}

/** The conversation's id when it is the asker's own in this organization; another's is not found. */
export async function conversationOf(who: Asker, conversationId: string): Promise<string> {
  const [row] = await db()`
    select id from public.chat_conversations
    where org_id = ${who.orgId} and id = ${conversationId} and user_id = ${who.user.id}`;
  if (!row) throw new AppError('CONVERSATION_NOT_FOUND', 'No such conversation of yours in this organization.');
  return row.id;
}

/** The conversation's latest messages, oldest first, as the model reads them. */
export async function history(who: Asker, conversationId: string): Promise<Turn[]> {
  // A question and its answer share a created_at (one transaction): the enum orders them.
  const rows = await db()<{ role: 'user' | 'assistant'; content: string }[]>`
    select role::text as role, content from (
      select role, content, created_at from public.chat_messages
      where org_id = ${who.orgId} and conversation_id = ${conversationId}
      order by created_at desc, role desc limit ${MAX_HISTORY_MESSAGES}
    ) latest order by latest.created_at, latest.role`;
  return rows.map((r) => ({ role: r.role, content: r.content }));
}

/**
 * The question and its answer stored together with their charge, in one transaction: a charge
 * that fails (INSUFFICIENT_CREDITS) stores nothing. The ledger charges a key once, so a second
 * request with the same key that raced this one is not charged twice either.
 */
export function storeExchange(
  who: Asker,
  exchange: {
    conversationId: string;
    isNew: boolean;
    key: string;
    question: string;
    answer: string;
    toolCalls: ToolCallRecord[];
    credits: number;
  },
): Promise<{ messageId: string; charged: number }> {
  const { orgId, user } = who;
  return db().begin(async (sql) => {
    const [entry] = await sql`select amount from private.use_credits(
      ${orgId}, ${exchange.credits}, ${'AI chat message'}, ${`ai-chat:${user.id}:${exchange.key}`})`;
    if (exchange.isNew) {
      await sql`insert into public.chat_conversations (id, org_id, user_id, title)
                values (${exchange.conversationId}, ${orgId}, ${user.id}, ${title(exchange.question)})
                on conflict do nothing`;
    } else {
      await sql`update public.chat_conversations set updated_at = now()
                where org_id = ${orgId} and id = ${exchange.conversationId}`;
    }
    const rows = [
      { role: 'user', content: exchange.question, tool_calls: [], credits: 0 },
      {
        role: 'assistant',
        content: exchange.answer.slice(0, 20_000),
        tool_calls: exchange.toolCalls,
        credits: exchange.credits,
      },
    ];
    await sql`
      insert into public.chat_messages (org_id, conversation_id, user_id, role, content, idempotency_key, tool_calls, credits)
      select ${orgId}, ${exchange.conversationId}, ${user.id}, r.role, r.content, ${exchange.key}, r.tool_calls, r.credits
      from jsonb_to_recordset(${
      sql.json(rows)
    }) as r (role public.chat_role, content text, tool_calls jsonb, credits integer)
      on conflict do nothing`;
    const [answer] = await sql<{ id: string }[]>`
      select id from public.chat_messages
      where org_id = ${orgId} and user_id = ${user.id} and idempotency_key = ${exchange.key} and role = 'assistant'`;
    return { messageId: answer.id, charged: -Number(entry.amount) };
  }) as Promise<{ messageId: string; charged: number }>;
}

/** A conversation is titled by the start of its first question, on a word boundary. */
function title(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : 80)}…`;
}
