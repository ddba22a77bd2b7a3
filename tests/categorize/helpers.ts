import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, categoryIds, createAccount, type NewTransaction } from '../helpers/finance.ts';
import { createOrganization, type Organization } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/** A household with an account and its default categories by key, for the categorizer's suites. */
export interface Household extends Organization {
  accountId: string;
  currency: string;
  categories: Record<string, string>;
}

export async function household(label: string): Promise<Household> {
  const org = await createOrganization(label);
  const [{ base_currency: currency }] =
    await adminSql`select base_currency from public.organizations where id = ${org.id}`;
  const [accountId, categories] = await Promise.all([
    createAccount(org.owner, org.id, { currency }),
    categoryIds(org.owner, org.id),
  ]);
  return { ...org, accountId, currency, categories };
}

/** An expense of the household, written through the Data API as the app writes it. */
export function spend(org: Household, fields: Partial<NewTransaction> & { counterparty?: string }, by?: TestUser) {
  return addTransaction(by ?? org.owner, {
    org_id: org.id,
    kind: 'expense',
    booked_on: '2026-11-03',
    amount_minor: 12_500,
    currency: org.currency,
    account_id: org.accountId,
    ...fields,
  });
}

/** What the categorizer recorded for a transaction. */
export async function categorization(transactionId: string) {
  const [row] =
    await adminSql`select category_id, stage, confidence::float8 as confidence, reason, trail, applied, set_by
                               from public.transaction_categorizations where transaction_id = ${transactionId}`;
  return row;
}

/** The transaction's category as stored now. */
export async function categoryOf(transactionId: string): Promise<string | null> {
  const [row] = await adminSql`select category_id from public.transactions where id = ${transactionId}`;
  return row.category_id;
}

/** POSTs to ai-categorize as `user` (or without a token), answering status and JSON body. */
export async function categorize(body: unknown, user?: TestUser) {
  const token = user ? (await user.client.auth.getSession()).data.session?.access_token : undefined;
  const response = await fetch(`${target.url}/functions/v1/ai-categorize`, {
    method: 'POST',
    headers: {
      apikey: target.anonKey,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The organization's credit ledger rows for AI categorization, oldest first. */
export async function categorizeCharges(orgId: string) {
  return adminSql<{ amount: number; idempotency_key: string }[]>`
    select amount::int as amount, idempotency_key from public.credit_ledger
    where org_id = ${orgId} and kind = 'usage' and idempotency_key like 'ai-categorize:%' order by id`;
}
