import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { addContract } from '../helpers/contracts.ts';
import { addDays } from '../helpers/dates.ts';
import { adminSql } from '../helpers/db.ts';
import { catcher, mailsTo, waitForMail } from '../helpers/mail.ts';
import { collector, joined } from '../helpers/realtime.ts';
import { firedWindows, localInstant, runReminders } from './helpers.ts';

/**
 * A contract's notice deadline, from the database's computation to the user: each window fires
 * once on its day in the organization's zone, shows in the app (live on user:<id>) and in the
 * mailbox in the user's language, and the mail's one-click unsubscribe turns that email off.
 */

const ZONE = 'Pacific/Auckland'; // UTC+13 in December: its today is often UTC's tomorrow.
let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  owner = await signUpUser('reminded', { locale: 'de' });
  [{ id: orgId }] = await adminSql`select id from public.organizations where created_by = ${owner.user.id}`;
  await adminSql`update public.organizations set time_zone = ${ZONE} where id = ${orgId}`;
});

afterAll(async () => {
  await owner.client.removeAllChannels();
});

/** The notice deadline the database computes for a contract as of a day. */
async function noticeDeadline(contractId: string, asOf: string): Promise<string> {
  const [{ deadline }] = await adminSql`
    select (private.contract_dates(c, ${asOf}::date)).notice_deadline_on::text as deadline
    from public.contracts c where c.id = ${contractId}`;
  return deadline;
}

describe('a contract with a notice deadline', () => {
  it("reminds 30, 7 and 1 days ahead in the organization's zone, once each, live and by mail in German", async () => {
    const contract = await addContract(owner, orgId, {
      name: 'Fitnessstudio',
      starts_on: '2026-01-01',
      binding_ends_on: '2027-12-31',
      notice_period: 3,
      notice_period_unit: 'months',
      auto_renews: true,
    });
    const deadline = await noticeDeadline(contract.id, '2027-06-01');
    expect(deadline).toBe('2027-09-30');

    const live = collector<{ event: string; payload: { kind: string; title: string; data: { lead_days: number } } }>();
    await joined(
      owner.client
        .channel(`user:${owner.user.id}`, { config: { private: true } })
        .on('broadcast', { event: 'notification' }, (message) => live.push(message as never)),
    );

    // 31 days ahead (late that evening in Auckland): no window yet.
    expect(await runReminders(await localInstant(addDays(deadline, -31), '23:30', ZONE), orgId)).toBe(0);
    // Half past midnight 30 days ahead in Auckland is still the day before in UTC: the window of
    // 30 days fires because the organization's today counts.
    const thirtyAhead = await localInstant(addDays(deadline, -30), '00:30', ZONE);
    expect(thirtyAhead.toISOString().slice(0, 10)).toBe(addDays(deadline, -31));
    expect(await runReminders(thirtyAhead, orgId)).toBe(1);
    // Run twice, or again the next day: nothing more.
    expect(await runReminders(thirtyAhead, orgId)).toBe(0);
    expect(await runReminders(await localInstant(addDays(deadline, -29), '09:00', ZONE), orgId)).toBe(0);

    const title = `Fitnessstudio bis ${deadline} kündigen`;
    await expect.poll(() => live.items.length, { timeout: 5000 }).toBe(1);
    expect(live.items[0]).toMatchObject({ event: 'notification', payload: { kind: 'contract_notice', title } });

    const mail = await waitForMail(owner.email, { subject: /kündigen/ });
    expect(mail.Subject).toBe(title);
    expect(mail.HTML).toContain('lang="de"');
    const response = await catcher(`/api/v1/message/${mail.ID}/headers`);
    const headers = (await response.json()) as Record<string, string[]>;
    const unsubscribe = headers['List-Unsubscribe']?.[0]?.match(/^<(.+)>$/)?.[1];
    expect(unsubscribe).toMatch(/\/functions\/v1\/notifications-unsubscribe\?token=/);
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
    expect(mail.HTML.replaceAll('&amp;', '&')).toContain(unsubscribe);

    expect(await runReminders(await localInstant(addDays(deadline, -7), '08:00', ZONE), orgId)).toBe(1);
    await waitForMail(owner.email, { subject: /kündigen/, count: 2 });

    // Opening the link changes nothing (mail scanners open links); the one-click POST does.
    const url = unsubscribe as string;
    expect((await fetch(url)).status).toBe(200);
    const forged = await fetch(`${url.slice(0, -1)}${url.endsWith('0') ? '1' : '0'}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'UNSUBSCRIBE_TOKEN_INVALID' } });
    let channels = await owner.client.rpc('my_notification_channels');
    expect(channels.data?.find((c) => c.kind === 'contract_notice')).toMatchObject({ email: 'now', is_default: true });
    const oneClick = await fetch(url, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    channels = await owner.client.rpc('my_notification_channels');
    expect(channels.data?.find((c) => c.kind === 'contract_notice')).toMatchObject({
      in_app: true,
      email: 'off',
      is_default: false,
    });

    // The last window: in the app, no longer by mail.
    expect(await runReminders(await localInstant(addDays(deadline, -1), '08:00', ZONE), orgId)).toBe(1);
    await expect.poll(() => live.items.length, { timeout: 5000 }).toBe(3);
    expect(live.items.map((m) => m.payload.data.lead_days)).toEqual([30, 7, 1]);
    const [{ mails }] = await adminSql`
      select count(*)::int as mails from private.mail_outbox
      where recipient = ${owner.email} and template = 'reminder' and variables->>'item_id' = ${contract.id}`;
    expect(mails).toBe(2);
    expect((await mailsTo(owner.email)).filter((m) => /kündigen/.test(m.Subject))).toHaveLength(2);

    const { data: rows } = await owner.client.from('notifications').select('kind, title, read_at').eq('org_id', orgId);
    expect(rows?.filter((n) => n.kind === 'contract_notice')).toHaveLength(3);
    expect((await owner.client.rpc('unread_notification_count')).data).toBeGreaterThanOrEqual(3);
    expect((await owner.client.rpc('mark_notifications_read', {})).error).toBeNull();
    expect((await owner.client.rpc('unread_notification_count')).data).toBe(0);
  });

  it('fires only the most urgent window when the schedule ran late, and honours per-item lead days', async () => {
    const late = await addContract(owner, orgId, {
      name: 'Zeitung',
      starts_on: '2026-01-01',
      binding_ends_on: '2027-12-31',
      notice_period: 1,
      notice_period_unit: 'months',
    });
    const deadline = await noticeDeadline(late.id, '2027-06-01');
    // Nothing ran for weeks: 5 days ahead, the 7-day window fires (not the 30-day one as well).
    expect(await runReminders(await localInstant(addDays(deadline, -5), '10:00', ZONE), orgId)).toBe(1);
    expect(await runReminders(await localInstant(addDays(deadline, -4), '10:00', ZONE), orgId)).toBe(0);
    expect(await firedWindows(late.id)).toEqual([{ kind: 'contract_notice', lead_days: 7, due_on: deadline }]);

    const early = await addContract(owner, orgId, {
      name: 'Alarmanlage',
      starts_on: '2026-01-01',
      binding_ends_on: '2027-12-31',
      notice_period: 3,
      notice_period_unit: 'months',
      reminder_days: [120, 30],
    });
    const earlyDeadline = await noticeDeadline(early.id, '2027-05-01');
    expect(await runReminders(await localInstant(addDays(earlyDeadline, -120), '10:00', ZONE), orgId)).toBe(1);
    expect(await firedWindows(early.id)).toEqual([{ kind: 'contract_notice', lead_days: 120, due_on: earlyDeadline }]);

    const { error } = await owner.client
      .from('contracts')
      .update({ reminder_days: [400] })
      .eq('id', early.id);
    expect(error?.code).toBe('23514');
  });
});
