import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceClient, signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';
import { createPlan, makePlatformAdmin, subscribe } from './helpers.ts';

/**
 * The credit ledger is the truth: every grant and use is an append-only row, and the balance is
 * always the sum of the rows, also under concurrent debits.
 */

async function balanceAndSum(orgId: string) {
  const [row] = await adminSql`
    select b.balance, (select coalesce(sum(amount), 0) from public.credit_ledger l where l.org_id = b.org_id) as total,
           (select count(*)::int from public.credit_ledger l where l.org_id = b.org_id) as entries
    from public.credit_balances b where b.org_id = ${orgId}`;
  return { balance: Number(row.balance), total: Number(row.total), entries: row.entries as number };
}

const useCredits = (orgId: string, amount: number, key?: string) =>
  serviceClient().rpc('use_credits', { org_id: orgId, amount, reason: 'AI categorization', idempotency_key: key });

describe('credits', () => {
  it('start with the trial grant, readable by members; the ledger by admins only', async () => {
    const org = await createOrganization('credits');
    const viewer = await addMember(org, 'viewer');
    const { data: balance } = await viewer.client
      .from('credit_balances')
      .select('balance')
      .eq('org_id', org.id)
      .single();
    expect(balance?.balance).toBe(100);
    expect((await viewer.client.from('credit_ledger').select('*').eq('org_id', org.id)).data).toEqual([]);
    const { data: ledger } = await org.owner.client.from('credit_ledger').select('*').eq('org_id', org.id);
    expect(ledger).toEqual([
      expect.objectContaining({ amount: 100, kind: 'grant', balance_after: 100, idempotency_key: 'trial-grant' }),
    ]);
  });

  it('are used once per idempotency key, and a reused key with another amount is refused', async () => {
    const org = await createOrganization('creditskey');
    const key = `job-${randomUUID()}`;
    const first = await useCredits(org.id, 7, key);
    const again = await useCredits(org.id, 7, key);
    expect(first.error).toBeNull();
    expect(again.data).toEqual(first.data);
    expect(first.data).toMatchObject({ amount: -7, kind: 'usage', balance_after: 93 });
    expect((await useCredits(org.id, 8, key)).error).toMatchObject({ code: 'PT409', message: 'IDEMPOTENCY_CONFLICT' });
    expect(await balanceAndSum(org.id)).toEqual({ balance: 93, total: 93, entries: 2 });
  });

  it('refuse to go below zero with INSUFFICIENT_CREDITS and write nothing', async () => {
    const org = await createOrganization('creditsshort');
    const { error, status } = await useCredits(org.id, 101);
    expect(status).toBe(402);
    expect(error).toMatchObject({ code: 'PT402', message: 'INSUFFICIENT_CREDITS' });
    expect((await useCredits(org.id, 100)).error).toBeNull();
    expect((await useCredits(org.id, 1)).error?.message).toBe('INSUFFICIENT_CREDITS');
    expect(await balanceAndSum(org.id)).toEqual({ balance: 0, total: 0, entries: 2 });
  });

  it('are not spent by browsers: use_credits is for trusted servers', async () => {
    const org = await createOrganization('creditsbrowser');
    const { error } = await org.owner.client.rpc('use_credits', { org_id: org.id, amount: 1, reason: 'x' });
    expect(error).not.toBeNull();
    expect((await balanceAndSum(org.id)).balance).toBe(100);
  });

  describe('under 100 concurrent debits', () => {
    // Its own pool, so the debits really run side by side (as edge functions would).
    const pool = postgres(target.dbUrl, { max: 20, onnotice: () => {} });
    afterAll(() => pool.end({ timeout: 5 }));

    it('never go negative and always equal the sum of the ledger', async () => {
      const org = await createOrganization('creditsrace');
      const results = await Promise.allSettled(
        Array.from(
          { length: 100 },
          (_, i) => pool`select balance_after from private.use_credits(${org.id}, 3, 'race', ${`race-${i}`})`,
        ),
      );
      const succeeded = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r.reason as Error).message);
      expect(succeeded).toHaveLength(33);
      expect(new Set(refused)).toEqual(new Set(['INSUFFICIENT_CREDITS']));
      expect(await balanceAndSum(org.id)).toEqual({ balance: 1, total: 1, entries: 34 });
      // Each row's balance_after follows from the one before: the debits ran one after another.
      const chain =
        await adminSql`select amount, balance_after from public.credit_ledger where org_id = ${org.id} order by id`;
      let running = 0;
      for (const row of chain) {
        running += Number(row.amount);
        expect(Number(row.balance_after)).toBe(running);
        expect(running).toBeGreaterThanOrEqual(0);
      }
    });
  });

  it('leave the ledger append-only for every role', async () => {
    const org = await createOrganization('creditsappend');
    const [{ id }] = await adminSql`select id from public.credit_ledger where org_id = ${org.id}`;
    const asOwner = await org.owner.client.from('credit_ledger').update({ amount: 1000 }).eq('id', id).select();
    expect(asOwner.error?.code).toBe('42501');
    const asService = await serviceClient().from('credit_ledger').delete().eq('id', id);
    expect(asService.error?.code).toBe('42501');
    const forged = await serviceClient().from('credit_balances').update({ balance: 1_000_000 }).eq('org_id', org.id);
    expect(forged.error?.code).toBe('42501');
    await expect(adminSql`update public.credit_ledger set amount = 1000 where id = ${id}`).rejects.toMatchObject({
      code: 'PT403',
      message: 'LEDGER_APPEND_ONLY',
    });
    await expect(adminSql`delete from public.credit_ledger where id = ${id}`).rejects.toMatchObject({
      message: 'LEDGER_APPEND_ONLY',
    });
    // Deleting the organization takes its ledger along.
    await org.owner.client.from('organizations').delete().eq('id', org.id);
    const [left] = await adminSql`select count(*)::int as n from public.credit_ledger where org_id = ${org.id}`;
    expect(left.n).toBe(0);
  });

  it('leave one credits_low notice when the balance falls below the threshold', async () => {
    const org = await createOrganization('creditslow');
    await useCredits(org.id, 70); // 30 left, above the threshold of 20
    await useCredits(org.id, 15); // 15: below
    await useCredits(org.id, 5); // still below: no second notice
    const notices = await adminSql`select kind, payload from private.billing_notices where org_id = ${org.id}`;
    expect(notices).toEqual([{ kind: 'credits_low', payload: { balance: 15, threshold: 20 } }]);
  });
});

describe('the monthly refill', () => {
  it('gives a paying organization its plan allowance once per month, even when run twice', async () => {
    const [paying, trialing] = await Promise.all([createOrganization('refill'), createOrganization('refilltrial')]);
    const plan = await createPlan({ monthlyCredits: 250 });
    await subscribe(paying.id, plan.id);
    await adminSql`select private.refill_monthly_credits('2031-05-02')`;
    await adminSql`select private.refill_monthly_credits('2031-05-28')`;
    expect(await balanceAndSum(paying.id)).toEqual({ balance: 350, total: 350, entries: 2 });
    expect((await balanceAndSum(trialing.id)).balance).toBe(100);
    await adminSql`select private.refill_monthly_credits('2031-06-01')`;
    expect((await balanceAndSum(paying.id)).balance).toBe(600);
    const keys =
      await adminSql`select idempotency_key, kind from public.credit_ledger where org_id = ${paying.id} order by id`;
    expect(keys.map((k) => `${k.kind}:${k.idempotency_key}`)).toEqual([
      'grant:trial-grant',
      'monthly_refill:refill:2031-05',
      'monthly_refill:refill:2031-06',
    ]);
  });

  it('is scheduled with cron', async () => {
    const [job] = await adminSql`select command from cron.job where jobname = 'credits-monthly-refill'`;
    expect(job.command).toContain('private.refill_monthly_credits()');
  });
});

describe('adjustments', () => {
  it('are made by platform admins with a reason, and refused to owners', async () => {
    const [org, operator] = await Promise.all([createOrganization('adjust'), signUpUser('creditsoperator')]);
    await makePlatformAdmin(operator.user.id);
    const byOwner = await org.owner.client.rpc('adjust_credits', { org_id: org.id, amount: 500, reason: 'gift' });
    expect(byOwner.error?.message).toBe('PLATFORM_ADMIN_REQUIRED');
    const noReason = await operator.client.rpc('adjust_credits', { org_id: org.id, amount: 500, reason: ' ' });
    expect(noReason.error?.message).toBe('VALIDATION_FAILED');
    const added = await operator.client.rpc('adjust_credits', {
      org_id: org.id,
      amount: 500,
      reason: 'support ticket 42',
    });
    expect(added.data).toMatchObject({
      kind: 'adjustment',
      amount: 500,
      balance_after: 600,
      actor_id: operator.user.id,
    });
    const tooMuch = await operator.client.rpc('adjust_credits', { org_id: org.id, amount: -601, reason: 'clawback' });
    expect(tooMuch.error?.message).toBe('INSUFFICIENT_CREDITS');
    expect(await balanceAndSum(org.id)).toEqual({ balance: 600, total: 600, entries: 2 });
  });
});
