import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { mailsTo, waitForMail } from '../helpers/mail.ts';
import { addMember, createOrganization, type Organization } from '../helpers/organizations.ts';
import { mailProviderTarget, target } from '../helpers/target.ts';
import { localInstant, notify } from './helpers.ts';

/**
 * Each user's channels per kind (in the app, email now, daily or weekly digest, off), quiet
 * hours, digests, and suppression of addresses the provider reports bouncing.
 * Notifications are raised here as modules raise them (private.notify) for this file's users only.
 */

let org: Organization;
let member: TestUser;

beforeAll(async () => {
  org = await createOrganization('channels');
  member = await addMember(org, 'member');
});

/** The outbox rows of a user's address for a template, oldest first. */
function outbox(email: string, template: string) {
  return adminSql<{ id: string; status: string; next_attempt_at: Date; last_error: string | null }[]>`
    select id, status::text, next_attempt_at, last_error from private.mail_outbox
    where recipient = ${email} and template = ${template} order by created_at`;
}

async function inApp(user: TestUser, kind: string): Promise<number> {
  const { data, error } = await user.client.from('notifications').select('id').eq('kind', kind);
  expect(error).toBeNull();
  return data?.length ?? 0;
}

describe('channels per kind', () => {
  it('follow the platform defaults until the user chooses, and refuse bad choices with a code', async () => {
    const { data: defaults } = await member.client.rpc('my_notification_channels');
    expect(defaults?.find((c) => c.kind === 'insurance_renewal')).toMatchObject({
      in_app: true,
      email: 'now',
      is_default: true,
    });
    expect(defaults?.find((c) => c.kind === 'warranty_expiring')).toMatchObject({ email: 'weekly', is_default: true });

    const off = await member.client.rpc('set_notification_channels', {
      kind: 'insurance_renewal',
      in_app: false,
      email: 'off',
    });
    expect(off.error).toBeNull();
    expect(await notify('insurance_renewal', org.id, 'Hausrat', { userIds: [member.user.id] })).toBe(0);
    expect(await inApp(member, 'insurance_renewal')).toBe(0);
    expect(await outbox(member.email, 'reminder')).toHaveLength(0);

    const hourly = await member.client.rpc('set_notification_channels', {
      kind: 'insurance_renewal',
      in_app: true,
      email: 'hourly',
    });
    expect(hourly.error).toMatchObject({ code: 'PT400', message: 'NOTIFICATION_CHANNEL_INVALID' });
    const unknown = await member.client.rpc('set_notification_channels', { kind: 'nope', in_app: true, email: 'now' });
    expect(unknown.error).toMatchObject({ code: 'PT400', message: 'NOTIFICATION_KIND_UNKNOWN' });
  });

  it("turn email off for a user whose profile says so, and reach the kind's audience only", async () => {
    const quiet = await addMember(org, 'viewer');
    await adminSql`update public.profiles set preferences = '{"notifications": {"email": false}}' where user_id = ${quiet.user.id}`;
    // payment_failed is for owners: the member and the viewer hear nothing.
    expect(await notify('payment_failed', org.id, org.name)).toBe(1);
    expect(await inApp(org.owner, 'payment_failed')).toBe(1);
    expect(await inApp(member, 'payment_failed')).toBe(0);
    // export_ready reaches viewers: the viewer in the app only.
    await notify('export_ready', org.id, 'export.csv', { userIds: [quiet.user.id] });
    expect(await inApp(quiet, 'export_ready')).toBe(1);
    expect(await outbox(quiet.email, 'export_ready')).toHaveLength(0);
  });

  it('keep an email written in quiet hours until they end, in the user zone', async () => {
    const user = await addMember(org, 'member');
    const settings = await user.client
      .from('notification_settings')
      .insert({ user_id: user.user.id, quiet_from: '22:00', quiet_until: '07:00', time_zone: 'Europe/Helsinki' });
    expect(settings.error).toBeNull();
    const lateEvening = await localInstant('2026-12-10', '23:15', 'Europe/Helsinki');
    await notify('insurance_renewal', org.id, 'Hausrat', { userIds: [user.user.id], asOf: lateEvening });
    const [held] = await outbox(user.email, 'reminder');
    expect(held.next_attempt_at).toEqual(await localInstant('2026-12-11', '07:00', 'Europe/Helsinki'));
    expect(await inApp(user, 'insurance_renewal')).toBe(1);

    const noon = await localInstant('2026-12-11', '12:00', 'Europe/Helsinki');
    const [{ at }] =
      await adminSql`select private.after_quiet_hours('22:00', '07:00', 'Europe/Helsinki', ${noon}) as at`;
    expect(at).toEqual(noon);
    const bad = await user.client
      .from('notification_settings')
      .update({ quiet_until: null })
      .eq('user_id', user.user.id);
    expect(bad.error?.code).toBe('23514');
  });
});

describe('events of other modules', () => {
  it('welcome a confirmed user, show an invitation in the app, mail a failed payment', async () => {
    const welcome = await waitForMail(member.email, { subject: /Welcome to WestWallet/ });
    expect(welcome.Text).toContain(member.email);
    expect(await inApp(member, 'invitation')).toBe(1);

    const before = await inApp(org.owner, 'payment_failed');
    const mailed = (await mailsTo(org.owner.email)).filter((m) => /payment for/.test(m.Subject)).length;
    await adminSql`insert into private.billing_notices (org_id, kind, payload)
                   values (${org.id}, 'payment_failed', '{"invoice": "in_test"}')`;
    expect(await inApp(org.owner, 'payment_failed')).toBe(before + 1);
    const failed = await waitForMail(org.owner.email, { subject: /payment for/, count: mailed + 1 });
    expect(failed.Subject).toBe(`A payment for ${org.name} failed`);
    expect(failed.HTML).toContain('/billing');
    const [notice] = await adminSql`select handled_at from private.billing_notices
                                    where org_id = ${org.id} and payload->>'invoice' = 'in_test'`;
    expect(notice.handled_at).not.toBeNull();
  });

  it('mail one receipt per paid invoice, in the owner number format, however often Stripe repeats it', async () => {
    const owner = await signUpUser('receipt', { locale: 'sv' });
    const [{ id: orgId, name }] =
      await adminSql`select id, name from public.organizations where created_by = ${owner.user.id}`;
    const invoiceId = `in_${randomUUID()}`;
    /** Applies a Stripe invoice event as the billing webhook does. */
    const apply = (kind: string, status: string, amountPaid: number, created: string) => adminSql`
      select private.apply_stripe_invoice(${adminSql.json({
        id: invoiceId,
        number: 'WW-0042',
        status,
        currency: 'kwd',
        amount_due: 12345,
        amount_paid: amountPaid,
        total: 12345,
        subscription_details: { metadata: { org_id: orgId } },
      })}, ${created}::timestamptz, ${kind})`;
    await apply('invoice.finalized', 'open', 0, '2026-12-01 10:00Z');
    expect(await outbox(owner.email, 'payment_receipt')).toHaveLength(0);
    await apply('invoice.paid', 'paid', 12345, '2026-12-01 10:01Z');
    await apply('invoice.paid', 'paid', 12345, '2026-12-01 10:02Z');

    // KWD has three decimals; Swedish writes a decimal comma and the code after the amount.
    const receipt = await waitForMail(owner.email, { subject: /^Kvitto/ });
    expect(receipt.Subject.replace(/\s/gu, ' ')).toBe(`Kvitto: 12,345 KWD för ${name}`);
    expect(receipt.Text).toContain('WW-0042');
    expect(await outbox(owner.email, 'payment_receipt')).toHaveLength(1);
    expect(await inApp(owner, 'payment_receipt')).toBe(1);
  });
});

describe('digests', () => {
  it('collect a daily kind into one mail a day, sent once, with its own unsubscribe', async () => {
    const user = await signUpUser('digest', { locale: 'sv' });
    const [{ id: orgId }] = await adminSql`select id from public.organizations where created_by = ${user.user.id}`;
    await user.client.rpc('set_notification_channels', { kind: 'maintenance_due', in_app: true, email: 'daily' });
    await notify('maintenance_due', orgId, 'Byt filter');
    await notify('maintenance_due', orgId, 'Rensa hängrännor');
    expect(await outbox(user.email, 'reminder')).toHaveLength(0);

    // Today's digest hour may not have come; the day after tomorrow's surely has.
    const later = new Date(Date.now() + 2 * 86_400_000);
    const send = async () =>
      (await adminSql`select private.send_digests(${later}, ${[user.user.id]}::uuid[]) as n`)[0].n as number;
    expect(await send()).toBe(1);
    expect(await send()).toBe(0);
    const mail = await waitForMail(user.email, { subject: /sammanfattning/ });
    expect(mail.Subject).toBe('Din sammanfattning från WestWallet: 2 nya');
    expect(mail.Text).toContain('Byt filter');
    expect(mail.Text).toContain('Rensa hängrännor');

    const link = mail.Text.match(/(http\S+notifications-unsubscribe\?token=\S+)/)?.[1] as string;
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    const { data } = await user.client.rpc('my_notification_channels');
    expect(data?.find((c) => c.kind === 'maintenance_due')?.email).toBe('off');
    expect(data?.find((c) => c.kind === 'warranty_expiring')?.email).toBe('off');
    expect(data?.find((c) => c.kind === 'contract_notice')?.email).toBe('now');
  });

  it('collect a weekly kind until the Monday after, at the digest hour in the user zone', async () => {
    const user = await signUpUser('weekly', { locale: 'en' });
    const [{ id: orgId }] = await adminSql`select id from public.organizations where created_by = ${user.user.id}`;
    const settings = await user.client
      .from('notification_settings')
      .insert({ user_id: user.user.id, time_zone: 'America/New_York', digest_hour: 7 });
    expect(settings.error).toBeNull();
    await notify('warranty_expiring', orgId, 'Dishwasher');
    // The first Monday 07:00 in New York after now: this week's, or the next.
    const [{ monday }] = await adminSql`
      select min(m) as monday from (
        select (date_trunc('week', now() at time zone 'America/New_York') + make_interval(days => d, hours => 7))
               at time zone 'America/New_York' as m
        from (values (0), (7)) v (d)) x
      where m > now()`;
    const send = async (at: Date) =>
      (await adminSql`select private.send_digests(${at}, ${[user.user.id]}::uuid[]) as n`)[0].n as number;
    // Before the next Monday's digest hour the item waits; at it, one digest; later that week, nothing.
    expect(await send(new Date())).toBe(0);
    expect(await send(new Date(monday.getTime() - 60_000))).toBe(0);
    expect(await send(monday)).toBe(1);
    expect(await send(new Date(monday.getTime() + 3 * 86_400_000))).toBe(0);
    const mail = await waitForMail(user.email, { subject: /digest/i });
    expect(mail.Text).toContain('Dishwasher');
  });
});

describe('the provider webhook', () => {
  const secret = mailProviderTarget.webhookSecret;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${target.url}/functions/v1/mail-events`, { method: 'POST', body, headers });
  /** Signed as Resend signs (Svix: Standard Webhooks under svix-* names). */
  function signed(event: unknown) {
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    const body = JSON.stringify(event);
    const signature = new Webhook(secret as string).sign(id, now, body);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
        'svix-signature': signature,
      },
    };
  }

  it('refuses an unsigned or forged event', async () => {
    const body = JSON.stringify({ type: 'email.complained', data: { to: [member.email] } });
    const forged = { 'svix-id': 'msg_forged', 'svix-timestamp': String(Math.floor(Date.now() / 1000)) };
    for (const headers of [{}, { ...forged, 'svix-signature': 'v1,AAAA' }]) {
      const answer = await post(body, { 'content-type': 'application/json', ...headers });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({ error: { code: 'MAIL_EVENT_SIGNATURE_INVALID' } });
    }
    const [suppressed] =
      await adminSql`select from private.mail_suppressions where email = ${member.email.toLowerCase()}`;
    expect(suppressed).toBeUndefined();
  });

  // Signing needs the target's secret: known for the throwaway stack, from RESEND_WEBHOOK_SECRET otherwise.
  it.runIf(secret)('suppresses an address that bounced, once, and not for a transient bounce', async () => {
    const user = await addMember(org, 'member');
    const event = { type: 'email.bounced', data: { to: [user.email], bounce: { type: 'Permanent' } } };
    const transient = signed({ type: 'email.bounced', data: { to: [user.email], bounce: { type: 'Transient' } } });
    expect(await (await post(transient.body, transient.headers)).json()).toMatchObject({ suppressed: 0 });
    const { body, headers } = signed(event);
    const answer = await post(body, headers);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ received: true, suppressed: 1 });
    // The same delivery again changes nothing.
    expect(await (await post(body, headers)).json()).toMatchObject({ suppressed: 0 });

    await notify('insurance_renewal', org.id, 'Hausrat', { userIds: [user.user.id] });
    const [refused] = await outbox(user.email, 'reminder');
    expect(refused).toMatchObject({ status: 'dead', last_error: 'SUPPRESSED: bounce' });
    expect(await inApp(user, 'insurance_renewal')).toBe(1);
  });
});
