import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, categoryIds, createAccount, type NewTransaction } from '../helpers/finance.ts';
import { createOrganization, type Organization } from '../helpers/organizations.ts';

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
