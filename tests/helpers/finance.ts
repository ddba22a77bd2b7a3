import type { Database } from '@westwallet/shared';
import type { TestUser } from './clients.ts';

/** Finance fixtures, created through the Data API as the app creates them. */

export type Transaction = Database['public']['Tables']['transactions']['Row'];
export type NewTransaction = Database['public']['Tables']['transactions']['Insert'];

/** The ids of the organization's categories by key (`groceries`, `salary`, ...). */
export async function categoryIds(user: TestUser, orgId: string): Promise<Record<string, string>> {
  const { data, error } = await user.client.from('categories').select('id, key').eq('org_id', orgId);
  if (error) throw new Error(`categories of ${orgId}: ${error.code} ${error.message}`);
  return Object.fromEntries((data ?? []).filter((c) => c.key).map((c) => [c.key as string, c.id]));
}

/** The id of the organization's default category with `key` (`groceries`, `salary`, ...). */
export async function categoryId(user: TestUser, orgId: string, key: string): Promise<string> {
  const { data, error } = await user.client.from('categories').select('id').eq('org_id', orgId).eq('key', key).single();
  if (error) throw new Error(`no category ${key}: ${error.code} ${error.message}`);
  return data.id;
}

export async function createAccount(
  user: TestUser,
  orgId: string,
  fields: Partial<Database['public']['Tables']['accounts']['Insert']> = {},
): Promise<string> {
  const { data, error } = await user.client
    .from('accounts')
    .insert({
      org_id: orgId,
      kind: 'bank',
      name: `Account ${Math.random().toString(36).slice(2, 8)}`,
      currency: 'SEK',
      ...fields,
    })
    .select('id')
    .single();
  if (error) throw new Error(`account insert failed: ${error.code} ${error.message}`);
  return data.id;
}

export async function addTransaction(user: TestUser, fields: NewTransaction): Promise<Transaction> {
  const { data, error } = await user.client.from('transactions').insert(fields).select().single();
  if (error) throw new Error(`transaction insert failed: ${error.code} ${error.message} ${error.details}`);
  return data;
}

/** An exchange rate of the organization: one `currency` costs `rate` of its base currency on `rateDate`. */
export async function addExchangeRate(
  user: TestUser,
  orgId: string,
  currency: string,
  rateDate: string,
  rate: number,
): Promise<void> {
  const { error } = await user.client
    .from('exchange_rates')
    .insert({ org_id: orgId, currency, rate_date: rateDate, rate });
  if (error) throw new Error(`exchange rate ${currency} ${rateDate} failed: ${error.code} ${error.message}`);
}
