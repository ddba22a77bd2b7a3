import type { Database } from '@westwallet/shared';
import type { TestUser } from './clients.ts';

/** Record fixtures: tags, the simplest record table, created through the Data API. */

export type Tag = Database['public']['Tables']['tags']['Row'];

export async function addTag(user: TestUser, orgId: string, name: string): Promise<Tag> {
  const { data, error } = await user.client.from('tags').insert({ org_id: orgId, name }).select().single();
  if (error) throw new Error(`tag insert failed: ${error.code} ${error.message}`);
  return data;
}
