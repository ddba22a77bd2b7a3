import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';
import { addTransaction, categoryId, createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';

/**
 * A scheduled job that loops over organizations fails for one organization only: the others go
 * on, and operators find the failing one in admin.failing_jobs until a run succeeds for it.
 */

let first: Household;
let second: Household;

beforeAll(async () => {
  const households = await Promise.all(['jammer', 'neighbour'].map((label) => signUpHousehold(label)));
  // The fold takes organizations in id order: the failing one comes first.
  [first, second] = households.sort((a, b) => (a.orgId < b.orgId ? -1 : 1));
});

const failures = (job: string) =>
  adminSql<{ org_id: string; error_code: string; failures: number }[]>`
    select org_id, error_code, failures from admin.failing_jobs where job = ${job}`;

describe('the totals fold', () => {
  it('folds the other organizations when one organization’s totals overflow, and lists that one', async () => {
    // Two lines whose sum no bigint holds, as two expenses of 9·10^18 made before amounts were bounded.
    await adminSql`
      insert into private.pending_totals (org_id, lines)
      select ${first.orgId}, array[l, l]
      from (select row('2026-01-01', 'c', gen_random_uuid(), 0, 9e18, 0, 0, -9e18, 1)::private.total_line as l) line`;
    const bank = await createAccount(second.owner, second.orgId);
    await addTransaction(second.owner, {
      org_id: second.orgId,
      kind: 'expense',
      booked_on: '2026-01-15',
      amount_minor: 12500,
      currency: 'SEK',
      account_id: bank,
      category_id: await categoryId(second.owner, second.orgId, 'groceries'),
    });

    await adminSql`select private.fold_all_pending_totals()`;

    const pending = await adminSql<{ org_id: string; n: number }[]>`
      select org_id, count(*)::int as n from private.pending_totals
      where org_id in (${first.orgId}, ${second.orgId}) group by org_id`;
    expect(pending).toEqual([{ org_id: first.orgId, n: 1 }]);
    const [folded] = await adminSql<{ expense: string }[]>`
      select sum(expense_minor)::text as expense from private.monthly_totals
      where org_id = ${second.orgId} and dimension = 'c' and month = '2026-01-01'`;
    expect(folded.expense).toBe('12500');
    expect(await failures('monthly-totals-fold')).toContainEqual({
      org_id: first.orgId,
      error_code: '22003',
      failures: expect.any(Number),
    });

    await adminSql`delete from private.pending_totals where org_id = ${first.orgId}`;
    await adminSql`select private.fold_all_pending_totals()`;
    await adminSql`insert into private.pending_totals (org_id, lines) values (${first.orgId}, '{}')`;
    await adminSql`select private.fold_all_pending_totals()`;
    const left = await failures('monthly-totals-fold');
    expect(left.map((f) => f.org_id)).not.toContain(first.orgId);
  });
});

describe('the daily jobs', () => {
  /** A trigger that fails every write of `table` for the first household, in a rolled-back transaction. */
  const jamWrites = (sql: Parameters<Parameters<typeof rolledBack>[0]>[0], table: string) =>
    sql.unsafe(`
      create function pg_temp.jam() returns trigger language plpgsql as $$
      begin
        if old.org_id = '${first.orgId}' then raise exception 'jammed'; end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$;
      create trigger jam before update or delete on ${table} for each row execute function pg_temp.jam();`);

  it('move the other organizations’ expired trials to read-only when one cannot move', async () => {
    const result = await rolledBack(async (sql) => {
      await sql`update public.subscriptions set status = 'trialing', trial_ends_at = now() - interval '1 day'
                where org_id in (${first.orgId}, ${second.orgId})`;
      await jamWrites(sql, 'public.subscriptions');
      await sql`select private.enforce_billing_deadlines()`;
      return {
        states: await sql`select org_id, status from public.subscriptions
                          where org_id in (${first.orgId}, ${second.orgId}) order by org_id`,
        failing: await sql`select org_id, error_code from admin.failing_jobs where job = 'billing-deadlines'`,
      };
    });
    expect(result.states).toEqual([
      { org_id: first.orgId, status: 'trialing' },
      { org_id: second.orgId, status: 'read_only' },
    ]);
    expect(result.failing).toEqual([{ org_id: first.orgId, error_code: 'P0001' }]);
  });

  it('purge the other organizations’ expired trash when one cannot be purged', async () => {
    const result = await rolledBack(async (sql) => {
      // Backdating the trash is the trash's own operation, as the stamp trigger requires.
      await sql`select set_config('westwallet.internal_operation', 'trash', true)`;
      for (const { orgId } of [first, second]) {
        await sql`insert into public.tags (org_id, name, deleted_at) values (${orgId}, 'old', null)`;
        await sql`update public.tags set deleted_at = now() - interval '400 days' where org_id = ${orgId} and name = 'old'`;
      }
      await sql`select set_config('westwallet.internal_operation', '', true)`;
      await jamWrites(sql, 'public.tags');
      await sql`select private.purge_expired_trash()`;
      return {
        left: await sql`select org_id from public.tags where name = 'old' and org_id in (${first.orgId}, ${second.orgId})`,
        failing: await sql`select org_id, error_code from admin.failing_jobs where job = 'trash-purge'`,
      };
    });
    expect(result.left).toEqual([{ org_id: first.orgId }]);
    expect(result.failing).toEqual([{ org_id: first.orgId, error_code: 'P0001' }]);
  });
});
