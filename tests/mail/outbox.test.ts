import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { mailsTo, waitForMail } from '../helpers/mail.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { mailProviderTarget, target } from '../helpers/target.ts';

/**
 * The application's outbox (private.mail_outbox, sent by mail-send) against a provider that
 * fails: the test stack's mail-send talks to a fake Resend (tests/setup/fake-resend.ts) whose
 * failures each test scripts for its own recipient, and which delivers to the catcher.
 */

interface OutboxRow {
  id: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  idempotency_key: string;
  next_attempt_at: Date;
}

/** An invitation to a new address, with the provider's next `times` sends to it failing as `mode` says. */
async function inviteWithFailures(mode: 'fail' | 'lose-answer' | 'reject', times: number) {
  const email = `outbox-${randomUUID().slice(0, 8)}@test.westwallet.app`;
  if (!mailProviderTarget.url) throw new Error('these tests need the fake mail provider (tests/setup/fake-resend.ts)');
  const plan = await fetch(`${mailProviderTarget.url}/_fail`, {
    method: 'POST',
    body: JSON.stringify({ to: email, times, mode }),
  });
  expect(plan.ok).toBe(true);
  const admin = await signUpUser('outboxadmin');
  const { error } = await admin.client.rpc('invite_member', { org_id: await personalOrg(admin), email });
  expect(error).toBeNull();
  return email;
}

async function outboxRow(email: string): Promise<OutboxRow> {
  const [row] = await adminSql<OutboxRow[]>`
    select id, status::text as status, attempts, last_error, provider_message_id, idempotency_key, next_attempt_at
    from private.mail_outbox where recipient = ${email}`;
  return row;
}

async function waitForRow(email: string, done: (row: OutboxRow) => boolean): Promise<OutboxRow> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const row = await outboxRow(email);
    if (row && done(row)) return row;
    if (Date.now() > deadline) throw new Error(`outbox row to ${email}: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** As if the backoff had passed: the row and its queue message are due now. */
async function skipBackoff(row: OutboxRow): Promise<void> {
  await adminSql`update private.mail_outbox set next_attempt_at = now() where id = ${row.id}`;
  await adminSql`update pgmq.q_mail set vt = now() where message->>'outbox_id' = ${row.id}`;
}

/** What the dispatcher does when a mail is due: call mail-send with the secret key. */
function callMailSend(key = target.serviceKey): Promise<Response> {
  return fetch(`${target.url}/functions/v1/mail-send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, apikey: key },
  });
}

describe('the mail outbox', () => {
  it('retries a mail the provider failed, with backoff, until it is sent', async () => {
    const email = await inviteWithFailures('fail', 1);
    const failed = await waitForRow(email, (row) => row.attempts === 1 && row.last_error !== null);
    expect(failed.status).toBe('pending');
    expect(failed.last_error).toMatch(/Resend answered 500/);
    const backoff = (failed.next_attempt_at.getTime() - Date.now()) / 1000;
    expect(backoff).toBeGreaterThan(2);
    expect(backoff).toBeLessThanOrEqual(7.5);
    expect(await mailsTo(email)).toHaveLength(0);

    await skipBackoff(failed);
    const answer = await callMailSend();
    expect(answer.status).toBe(200);
    const sent = await waitForRow(email, (row) => row.status === 'sent');
    expect(sent).toMatchObject({ attempts: 2, last_error: null, idempotency_key: `mail-${sent.id}` });
    expect(sent.provider_message_id).toBeTruthy();
    await waitForMail(email);
  });

  it('sends a mail once when the provider took it but its answer was lost', async () => {
    const email = await inviteWithFailures('lose-answer', 1);
    const failed = await waitForRow(email, (row) => row.attempts === 1 && row.last_error !== null);
    const first = await waitForMail(email);
    expect(first.MessageID).toBe(`${failed.idempotency_key}@westwallet.app`);

    await skipBackoff(failed);
    await callMailSend();
    const sent = await waitForRow(email, (row) => row.status === 'sent');
    expect(sent.attempts).toBe(2);
    // The retry carried the same idempotency key, so the provider did not send it again.
    await callMailSend();
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('marks a mail the provider refuses dead at once, for operators to see and send again', async () => {
    const email = await inviteWithFailures('reject', 1);
    const dead = await waitForRow(email, (row) => row.status === 'dead');
    expect(dead.attempts).toBe(1);
    const [seen] = await adminSql`select status::text, last_error from admin.mail_outbox where id = ${dead.id}`;
    expect(seen).toEqual({ status: 'dead', last_error: expect.stringMatching(/422 validation_error/) });

    await adminSql`select admin.retry_mail(${dead.id})`;
    const sent = await waitForRow(email, (row) => row.status === 'sent');
    expect(sent.idempotency_key).toBe(dead.idempotency_key);
    await waitForMail(email);
    const again = adminSql`select admin.retry_mail(${dead.id})`;
    await expect(again).rejects.toMatchObject({ message: 'MAIL_NOT_FOUND' });
  });

  it('sends nothing for a caller without the secret key', async () => {
    const answer = await callMailSend(target.anonKey);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });
});
