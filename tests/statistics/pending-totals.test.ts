import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { rolledBack } from '../helpers/db.ts';
import { createAccount } from '../helpers/finance.ts';
import { type ExpenseStats, statsHousehold } from './household.ts';

/**
 * The statistics count a write at once: the lines a write leaves for the fold job are read with
 * the folded totals.
 */

describe('expense_stats and dashboard', () => {
  let owner: TestUser;
  let orgId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    ({ owner, orgId, ids } = await statsHousehold());
  });

  it('count a write the moment it is made, before the job folds its lines into the totals', async () => {
    const claims = JSON.stringify({ sub: owner.user.id, role: 'authenticated', aud: 'authenticated' });
    const read = async (sql: Parameters<Parameters<typeof rolledBack>[0]>[0]) => {
      const [{ stats, board, balances }] = await sql`
        select public.expense_stats(${orgId}, 2026) as stats,
               public.dashboard(${orgId}, '2026-03-01', '2026-03-31') as board,
               (select json_agg(b) from public.account_balances(${orgId}) b) as balances`;
      return {
        march: (stats as ExpenseStats).months[2].expense_minor,
        vendor: (board as { by_vendor: { name: string; expense_minor: number }[] }).by_vendor.find(
          (v) => v.name === 'Pendelkiosken',
        )?.expense_minor,
        balance: (balances as { account_id: string; balance_minor: number }[]).find((b) => b.account_id === account)
          ?.balance_minor,
      };
    };
    const account = await createAccount(owner, orgId, { name: 'Kiosk card', currency: 'SEK' });
    const seen = await rolledBack(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const before = await read(tx);
      // Uncommitted, so no fold can have moved it: the readers find it among the pending lines.
      await tx`insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, category_id, counterparty)
               values (${orgId}, 'expense', '2026-03-10', 12345, 'SEK', ${account}, ${ids.groceries}, 'Pendelkiosken')`;
      const after = await read(tx);
      await tx`select set_config('role', 'postgres', true)`;
      const [{ pending }] =
        await tx`select count(*)::int as pending from private.pending_totals where org_id = ${orgId}`;
      return { before, after, pending };
    });
    expect(seen.pending).toBeGreaterThan(0);
    expect(seen.after.march - seen.before.march).toBe(12345);
    expect(seen.before.vendor).toBeUndefined();
    expect(seen.after.vendor).toBe(12345);
    expect((seen.before.balance ?? 0) - (seen.after.balance ?? 0)).toBe(12345);
  });
});
