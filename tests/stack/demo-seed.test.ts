import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';

/**
 * The demo household supabase/seed.sql writes on a new local database (`npm start`, the test
 * stack, `supabase db reset`): a year of data ending on the day it was seeded, the demo user's
 * creation day. A hosted project is never seeded, so against one there is nothing to look at.
 */
const [demo] = await adminSql<{ org_id: string; seeded_on: string }[]>`
  select o.id as org_id, u.created_at::date::text as seeded_on
  from auth.users u join public.organizations o on o.created_by = u.id
  where u.email = 'demo@westwallet.app'`;

describe.skipIf(!demo)('the demo seed', () => {
  it('dates nothing that happened after the day it was seeded', async () => {
    const late = await adminSql`
      select what, dated::text from (
        select 'transaction' as what, booked_on as dated from public.transactions where org_id = ${demo.org_id}
        union all select 'exchange rate', rate_date from public.exchange_rates where org_id = ${demo.org_id}
        union all select 'vehicle event', occurred_on from public.vehicle_events where org_id = ${demo.org_id}
        union all select 'maintenance done', done_on from public.maintenance_logs where org_id = ${demo.org_id}
        union all select 'warranty purchase', purchased_on from public.warranties where org_id = ${demo.org_id}
        union all select 'notice given', notice_given_on from public.contracts where org_id = ${demo.org_id}
        union all select 'account opened', opening_on from public.accounts where org_id = ${demo.org_id}
      ) happened
      where dated > ${demo.seeded_on}::date
      order by dated, what`;
    expect(late).toEqual([]);
  });

  it('still has transactions in the month it was seeded', async () => {
    const [{ last }] = await adminSql`
      select max(booked_on)::text as last from public.transactions where org_id = ${demo.org_id}`;
    expect(last.slice(0, 7)).toBe(demo.seeded_on.slice(0, 7));
  });
});
