import type { Database } from '@westwallet/shared';
import type { TestUser } from './clients.ts';

/** Finance fixtures, created through the Data API as the app creates them. */

export type Transaction = Database['public']['Tables']['transactions']['Row'];
export type NewTransaction = Database['public']['Tables']['transactions']['Insert'];

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
