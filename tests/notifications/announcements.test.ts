import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { waitForMail } from '../helpers/mail.ts';
import { createOrganization } from '../helpers/organizations.ts';
import { type Job, jobRow, waitForJob } from '../jobs/helpers.ts';

/**
 * Segment messages: a platform admin previews one, and a job (notifications.announce) sends it
 * in pages, each user once, opted-out users skipped, suppressed addresses counted, mails given
 * throttled slots on the mail queue. The segment is the users of Norwegian (`nb`), which only
 * this file's users speak, so other suites' users get nothing.
 */

const SEGMENT_SIZE = 200;
let admin: TestUser;

beforeAll(async () => {
  admin = await signUpUser('platformadmin');
  await adminSql`insert into private.platform_admins (user_id) values (${admin.user.id})`;
});

/** Confirmed users of the segment, made through the Auth admin API, a few at a time. */
async function norwegians(count: number): Promise<{ id: string; email: string }[]> {
  const auth = serviceClient().auth.admin;
  const users: { id: string; email: string }[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async () => {
        const email = `nordmann-${randomUUID().slice(0, 8)}@test.westwallet.app`;
        const { data, error } = await auth.createUser({
          email,
          password: `pw-${randomUUID()}`,
          email_confirm: true,
          user_metadata: { locale: 'nb' },
        });
        if (error || !data.user) throw new Error(`creating ${email} failed: ${error?.message}`);
        return { id: data.user.id, email };
      }),
    );
    users.push(...batch);
  }
  return users;
}

async function send(args: Record<string, unknown>): Promise<string> {
  const { data, error } = await admin.client.rpc('send_announcement', args as never);
  expect(error).toBeNull();
  return data as string;
}

async function status(id: string) {
  const { data, error } = await admin.client.rpc('announcement_status', { announcement_id: id });
  expect(error).toBeNull();
  return data as Record<string, unknown>;
}

describe('segment messages', () => {
  it('send each user of a segment one mail through the job queue, in small steps, throttled, skipping who opted out', async () => {
    const users = await norwegians(SEGMENT_SIZE);
    const [optedOut, suppressed, inApp] = [users.slice(0, 5), users[5], users[6]];
    await adminSql`
      insert into public.notification_preferences (user_id, kind, in_app, email)
      select unnest(${optedOut.map((u) => u.id)}::uuid[]), 'announcement', false, 'off'`;
    await adminSql`insert into public.notification_preferences (user_id, kind, in_app, email)
                   values (${inApp.id}, 'announcement', true, 'now')`;
    await adminSql`insert into private.mail_suppressions (email, reason) values (${suppressed.email}, 'bounce')`;

    const { data: preview, error } = await admin.client.rpc('preview_announcement', {
      segment: 'language',
      locale: 'nb',
      subject: 'Nyheter',
      body: 'Ny funksjon',
    });
    expect(error).toBeNull();
    const counts = preview as { recipients: number; opted_out: number; suppressed: number; sample: string[] };
    // Other stacks may hold Norwegian users of earlier runs: at least ours.
    expect(counts.recipients).toBeGreaterThanOrEqual(SEGMENT_SIZE - 6);
    expect(counts.opted_out).toBeGreaterThanOrEqual(5);
    expect(counts.suppressed).toBeGreaterThanOrEqual(1);
    expect(counts.sample).toHaveLength(10);

    // Seven users a step: some thirty steps, each its own transaction and checkpoint.
    const perMinute = 1200;
    const id = await send({
      segment: 'language',
      locale: 'nb',
      subject: 'Nyheter',
      body: 'Ny funksjon',
      per_minute: perMinute,
      page_size: 7,
    });
    const { job_id: jobId } = await status(id);
    const job: Job = await waitForJob(jobId as string, (j) => j.status === 'succeeded', 60_000);
    const done = await status(id);
    expect(done).toMatchObject({ status: 'succeeded', progress: 1 });
    expect(job.result).toEqual({ sent: done.sent, opted_out: done.opted_out, suppressed: done.suppressed });
    expect(done.examined).toBe(done.audience);
    expect(done.sent).toBe(counts.recipients);

    const deliveries = await adminSql<{ user_id: string; outcome: string; send_at: Date | null; mails: number }[]>`
      select d.user_id, d.outcome, d.send_at,
             (select count(*)::int from private.mail_outbox m
              where m.template = 'announcement' and m.variables ->> 'announcement_id' = ${id}
                and m.recipient = lower(u.email)) as mails
      from private.announcement_deliveries d join auth.users u on u.id = d.user_id
      where d.announcement_id = ${id} order by d.send_at nulls last`;
    const byUser = new Map(deliveries.map((d) => [d.user_id, d]));
    for (const user of users) {
      const expected = optedOut.includes(user)
        ? ['opted_out', 0]
        : user === suppressed
          ? ['suppressed', 0]
          : ['sent', 1];
      expect([byUser.get(user.id)?.outcome, byUser.get(user.id)?.mails]).toEqual(expected);
    }
    const notifications = await adminSql`
      select user_id from public.notifications where kind = 'announcement' and data ->> 'announcement_id' = ${id}`;
    expect(notifications.map((n) => n.user_id)).toEqual([inApp.id]);

    // The throttle: every mail has its own slot, 60 000 / 1200 = 50 ms after the one before.
    const slots = deliveries.filter((d) => d.send_at).map((d) => d.send_at?.getTime() ?? 0);
    expect(slots).toHaveLength(done.sent as number);
    const gaps = slots.slice(1).map((at, i) => at - slots[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(49.9);
    const [outboxSlots] = await adminSql`
      select count(*)::int as mismatched from private.announcement_deliveries d
      join private.mail_outbox m on m.id = d.outbox_id
      where d.announcement_id = ${id} and m.next_attempt_at <> d.send_at`;
    expect(outboxSlots.mismatched).toBe(0);

    // The first slots are due at once: their mail arrives.
    const first = deliveries
      .slice(0, 3)
      .map((d) => users.find((u) => u.id === d.user_id))
      .filter((u) => u);
    for (const user of first) await waitForMail(user?.email as string, { subject: /Nyheter/ });
  }, 180_000);

  it('serve nobody twice when a step runs again', async () => {
    await norwegians(12);
    const id = await send({
      segment: 'language',
      locale: 'nb',
      subject: 'Igjen',
      body: 'To ganger',
      per_minute: 6000,
      page_size: 5,
    });
    const { job_id: jobId } = await status(id);
    await waitForJob(jobId as string, (j) => j.status === 'succeeded', 60_000);
    const before = await status(id);
    const mails = () => adminSql`
      select count(*)::int as n from private.mail_outbox
      where template = 'announcement' and variables ->> 'announcement_id' = ${id}`;
    const [{ n: mailed }] = await mails();

    // The first step and a later one, again from their checkpoints, as a worker taken for dead would.
    const [again] = await adminSql`select * from private.send_announcement_page(${id}, ${jobId as string}, null, 5)`;
    expect(again.page_rows).toBe(5);
    const [later] = await adminSql`
      select * from private.send_announcement_page(${id}, ${jobId as string},
        (select user_id from private.announcement_deliveries where announcement_id = ${id} order by user_id limit 1 offset 4), 5)`;
    expect(later.page_rows).toBe(5);
    expect(await status(id)).toMatchObject({
      sent: before.sent,
      opted_out: before.opted_out,
      suppressed: before.suppressed,
    });
    expect((await mails())[0].n).toBe(mailed);
    expect(mailed).toBe(before.sent);
  });

  it('are for platform admins only, refuse bad input with a code, and a job that sends nothing fails', async () => {
    const org = await createOrganization('announcer');
    const user = org.owner;
    const message = { segment: 'all', subject: 'Hei', body: 'Tekst' };
    expect((await user.client.rpc('preview_announcement', message)).error).toMatchObject({
      code: 'PT403',
      message: 'PLATFORM_ADMIN_REQUIRED',
    });
    expect((await user.client.rpc('send_announcement', message)).error?.message).toBe('PLATFORM_ADMIN_REQUIRED');
    expect((await user.client.rpc('announcement_status', { announcement_id: randomUUID() })).error?.message).toBe(
      'PLATFORM_ADMIN_REQUIRED',
    );
    for (const bad of [
      { segment: 'language', subject: 'Hei', body: 'x' },
      { segment: 'everyone', subject: 'Hei', body: 'x' },
      { ...message, subject: ' ' },
      { ...message, per_minute: 0 },
      { ...message, page_size: 1001 },
    ]) {
      const { error } = await admin.client.rpc('send_announcement', bad as never);
      expect(error).toMatchObject({ code: 'PT400', message: 'ANNOUNCEMENT_INVALID' });
    }
    const missing = await admin.client.rpc('announcement_status', { announcement_id: randomUUID() });
    expect(missing.error).toMatchObject({ code: 'PT404', message: 'ANNOUNCEMENT_NOT_FOUND' });

    // An owner may enqueue the kind, but no announcement is sent by that job.
    const { data: stray, error } = await user.client.rpc('enqueue_job', {
      org_id: org.id,
      kind: 'notifications.announce',
      params: { announcement_id: randomUUID(), page_size: 10 },
    });
    expect(error).toBeNull();
    const failed = await waitForJob((stray as unknown as Job).id, (j) => j.status === 'failed');
    expect(failed.last_error_code).toBe('ANNOUNCEMENT_NOT_FOUND');
    expect((await jobRow(failed.id)).attempts).toBe(1);
  });
});
