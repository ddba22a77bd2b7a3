import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { waitForMail } from '../helpers/mail.ts';

/**
 * The demo household (supabase/seed.sql, on a new local database) starts with its upcoming
 * deadlines told: the alarm contract's notice deadline, among others, in the demo user's app and
 * in the catcher, in Swedish. A hosted project is never seeded, so against one there is nothing
 * to look at.
 */
const [demo] = await adminSql<{ user_id: string; email: string }[]>`
  select id as user_id, email from auth.users where email = 'demo@westwallet.app'`;

describe.skipIf(!demo)('the demo household', () => {
  it('has its upcoming deadlines as notifications and as Swedish mail in the catcher', async () => {
    const told = await adminSql<{ kind: string; title: string }[]>`
      select kind, title from public.notifications where user_id = ${demo.user_id} order by kind`;
    expect(told.map((n) => n.kind)).toEqual(expect.arrayContaining(['contract_notice', 'insurance_renewal']));
    const notice = told.find((n) => n.kind === 'contract_notice');
    expect(notice?.title).toMatch(/^Säg upp Hemlarm senast \d{4}-\d{2}-\d{2}$/);

    const mail = await waitForMail(demo.email, { subject: /^Säg upp Hemlarm/ });
    expect(mail.Subject).toBe(notice?.title);
  });
});
