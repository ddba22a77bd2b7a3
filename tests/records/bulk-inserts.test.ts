import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql, asRole } from '../helpers/db.ts';
import { categoryIds, createAccount } from '../helpers/finance.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * A statement that inserts many rows (an import's step, a client's array insert) pays the record
 * contract's effects once per statement: every row still gets its audit row, its webhook event,
 * its totals and its rule tags; the broadcast carries the rows as `records`, or their `ids` past
 * 100 rows. (Webhook events of a many-row insert: tests/webhooks/delivery.test.ts.)
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, member, viewer, orgId } = await householdWithMembers('bulk'));
});

describe('inserts of many rows in one statement', () => {
  it('audit, broadcast, total and tag every row', async () => {
    const account = await createAccount(member, orgId);
    const ids = await categoryIds(member, orgId);
    const { error: ruleError } = await member.client.from('category_rules').insert({
      org_id: orgId,
      name: 'Fika',
      conditions: [{ field: 'payee', op: 'contains', value: 'espresso' }],
      set_category_id: ids.restaurants,
      add_tags: ['fika'],
    } as never);
    expect(ruleError).toBeNull();

    const rows = ['Espresso House', 'Pressbyrån', 'Espresso House'].map((counterparty, i) => ({
      org_id: orgId,
      kind: 'expense' as const,
      booked_on: `2026-11-0${i + 1}`,
      amount_minor: 4500 + i,
      currency: 'SEK',
      account_id: account,
      counterparty,
    }));
    const { data: written, error } = await member.client.from('transactions').insert(rows).select('id, reference');
    expect(error).toBeNull();
    const writtenIds = (written ?? []).map((t) => t.id);
    expect(writtenIds).toHaveLength(3);

    // One audit row per transaction, each with its whole row, by the member who wrote it.
    const { data: audit } = await owner.client
      .from('audit_log')
      .select('record_id, operation, actor_id, new_values')
      .eq('table_name', 'transactions')
      .in('record_id', writtenIds)
      .order('id');
    expect(audit?.map((a) => [a.record_id, a.operation, a.actor_id])).toEqual(
      writtenIds.map((id) => [id, 'INSERT', member.user.id]),
    );
    expect(audit?.map((a) => (a.new_values as { reference: string }).reference)).toEqual(
      written?.map((t) => t.reference),
    );

    // One broadcast for the statement, with every row, received by members.
    const topic = `org:${orgId}`;
    const messages = await asRole({ role: 'authenticated', sub: viewer.user.id }, async (sql) => {
      await sql`select set_config('realtime.topic', ${topic}, true)`;
      return sql<{ event: string; ids: string[]; record: unknown }[]>`
        select event, payload -> 'record' as record,
               array(select r ->> 'id' from jsonb_array_elements(payload -> 'records') r) as ids
        from realtime.messages
        where topic = ${topic} and payload ->> 'table' = 'transactions' and payload ? 'records'`;
    });
    expect(messages.filter((m) => m.ids.includes(writtenIds[0]))).toEqual([
      { event: 'INSERT', record: null, ids: writtenIds },
    ]);

    // The totals agree with a fresh aggregate of the rows; the rule tagged both coffees.
    await adminSql`select private.fold_pending_totals(${orgId})`;
    expect(await adminSql`select * from private.monthly_totals_drift(${orgId})`).toHaveLength(0);
    const tagged = await adminSql<{ transaction_id: string }[]>`
      select t.transaction_id from public.transaction_tags t join public.tags g on g.org_id = t.org_id and g.id = t.tag_id
      where t.org_id = ${orgId} and g.name = 'fika' order by t.transaction_id`;
    expect(tagged.map((t) => t.transaction_id)).toEqual([writtenIds[0], writtenIds[2]].sort());
  });
  it('broadcast the ids of more than 100 rows, 2,000 a message, and up to 100 rows whole', async () => {
    const account = await createAccount(member, orgId);
    const topic = `org:${orgId}`;
    const { batches, sent } = await asRole({ role: 'authenticated', sub: member.user.id }, async (sql) => {
      const batches = [];
      for (const rows of [100, 2001]) {
        const written = await sql<{ id: string }[]>`
          insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, counterparty)
          select ${orgId}, 'expense', date '2026-11-01' + g % 20, 100 + g, 'SEK', ${account}, 'Butik ' || g
          from generate_series(1, ${rows}) g
          returning id`;
        batches.push(written.map((t) => t.id));
      }
      await sql`select set_config('realtime.topic', ${topic}, true)`;
      const sent = await sql<{ event: string; records: { id: string }[] | null; ids: string[] | null }[]>`
        select event, payload -> 'records' as records, payload -> 'ids' as ids
        from realtime.messages
        where topic = ${topic} and payload ->> 'table' = 'transactions' and (payload ? 'records' or payload ? 'ids')
        order by jsonb_array_length(coalesce(payload -> 'ids', payload -> 'records')) desc`;
      return { batches, sent };
    });
    const [hundred, many] = batches;
    // Up to 100 rows come whole, in messages of about 100 kB (this org's earlier test sent some too).
    const whole = sent.filter((m) => m.records?.some((r) => hundred.includes(r.id)));
    expect(whole.flatMap((m) => m.records?.map((r) => r.id)).sort()).toEqual([...hundred].sort());
    const byId = sent.filter((m) => m.ids !== null);
    expect(byId.map((m) => [m.event, m.ids?.length])).toEqual([
      ['INSERT', 2000],
      ['INSERT', 1],
    ]);
    expect(byId.flatMap((m) => m.ids)).toEqual(many);
  });
});
