import type { Database } from '@westwallet/shared';
import type { TestUser } from './clients.ts';

/** Contract fixtures, created through the Data API as the app creates them. */

export type ContractInsert = Database['public']['Tables']['contracts']['Insert'];
export type Contract = Database['public']['Tables']['contracts']['Row'];

/** A monthly contract of 100.00 SEK from 2026-01-01 unless `fields` say otherwise. */
export async function addContract(
  user: TestUser,
  orgId: string,
  fields: Partial<ContractInsert> = {},
): Promise<Contract> {
  const { data, error } = await user.client
    .from('contracts')
    .insert({
      org_id: orgId,
      name: 'Contract',
      amount_minor: 10000,
      currency: 'SEK',
      starts_on: '2026-01-01',
      ...fields,
    })
    .select()
    .single();
  if (error) throw new Error(`contract insert failed: ${error.code} ${error.message}`);
  return data;
}

/** The contract as the overview shows it: derived dates, costs in the base currency, payments. */
export async function contractOverview(user: TestUser, id: string) {
  const { data, error } = await user.client.from('contract_overview').select('*').eq('id', id).single();
  if (error) throw new Error(`no overview of contract ${id}: ${error.code} ${error.message}`);
  return data;
}
