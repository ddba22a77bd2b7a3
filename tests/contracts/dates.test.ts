import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';

/**
 * The pure date and cost arithmetic behind contracts (private functions, immutable), checked in
 * SQL at the edges: month ends, leap years, terms that renew, notice periods in every unit.
 */

type Frequency = 'weekly' | 'monthly' | 'quarterly' | 'half_yearly' | 'yearly' | 'every_n_months';

async function nextPayment(anchor: string, frequency: Frequency, onDate: string, intervalMonths: number | null = null) {
  const [row] = await adminSql`
    select private.next_payment_on(${anchor}::date, ${frequency}::public.contract_frequency, ${intervalMonths}::integer, ${onDate}::date)::text as d`;
  return row.d as string | null;
}

async function addMonths(date: string, months: number) {
  const [row] = await adminSql`select private.add_months_keeping_month_end(${date}::date, ${months})::text as d`;
  return row.d as string;
}

interface Term {
  binding: string | null;
  autoRenews?: boolean;
  renewal?: number | null;
  notice: number;
  unit?: 'days' | 'weeks' | 'months';
}

async function earliestEnd(
  { binding, autoRenews = true, renewal = null, notice, unit = 'months' }: Term,
  noticeOn: string,
) {
  const [row] = await adminSql`
    select private.earliest_end_on(${binding}::date, ${autoRenews}, ${renewal}::integer, ${notice}::integer,
                                   ${unit}::public.notice_period_unit, ${noticeOn}::date)::text as d`;
  return row.d as string;
}

async function cost(amount: number, frequency: Frequency, intervalMonths: number | null = null) {
  const [row] = await adminSql`
    select monthly_minor::int as monthly, yearly_minor::int as yearly
    from private.contract_cost(${amount}, ${frequency}::public.contract_frequency, ${intervalMonths}::integer)`;
  return [row.monthly, row.yearly];
}

/** private.contract_dates for a contract given by its fields (the others as a new contract has them). */
async function dates(contract: Record<string, unknown>, asOf: string) {
  const fields = {
    status: 'active',
    frequency: 'monthly',
    notice_period: 0,
    notice_period_unit: 'months',
    auto_renews: true,
    starts_on: '2026-01-01',
    first_payment_on: '2026-01-01',
    ...contract,
  };
  const [row] = await adminSql`
    select d.current_status, d.effective_ends_on::text, d.next_payment_on::text, d.earliest_end_on::text,
           d.notice_deadline_on::text
    from private.contract_dates(jsonb_populate_record(null::public.contracts, ${JSON.stringify(fields)}::text::jsonb), ${asOf}::date) d`;
  return { ...row };
}

describe('months keeping month ends', () => {
  it.each([
    ['2027-02-28', 12, '2028-02-29'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2027-02-28', -1, '2027-01-31'],
    ['2026-04-30', 1, '2026-05-31'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-03-30', -1, '2026-02-28'],
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-12-31', 2, '2027-02-28'],
  ])('%s plus %i months is %s', async (date, months, expected) => {
    expect(await addMonths(date, months)).toBe(expected);
  });
});

describe('the next payment', () => {
  it.each([
    // Paid on the 31st: the last day of shorter months, the 31st again after them.
    ['2026-01-31', 'monthly', '2026-02-01', '2026-02-28'],
    ['2026-01-31', 'monthly', '2026-03-01', '2026-03-31'],
    ['2026-01-31', 'monthly', '2026-04-15', '2026-04-30'],
    ['2026-01-31', 'monthly', '2028-02-01', '2028-02-29'],
    ['2026-01-30', 'monthly', '2026-02-27', '2026-02-28'],
    ['2026-01-30', 'monthly', '2026-03-01', '2026-03-30'],
    // On the day itself, and the day after.
    ['2026-01-15', 'monthly', '2026-03-15', '2026-03-15'],
    ['2026-01-15', 'monthly', '2026-03-16', '2026-04-15'],
    ['2026-01-15', 'monthly', '2026-12-20', '2027-01-15'],
    // Before the schedule starts: its first payment.
    ['2026-06-01', 'monthly', '2026-01-10', '2026-06-01'],
    ['2026-01-05', 'weekly', '2026-01-05', '2026-01-05'],
    ['2026-01-05', 'weekly', '2026-01-06', '2026-01-12'],
    ['2026-01-05', 'weekly', '2026-12-29', '2027-01-04'],
    ['2025-11-30', 'quarterly', '2026-01-01', '2026-02-28'],
    ['2025-11-30', 'quarterly', '2026-03-01', '2026-05-30'],
    ['2026-08-31', 'half_yearly', '2026-09-01', '2027-02-28'],
    ['2026-08-31', 'half_yearly', '2027-03-01', '2027-08-31'],
    ['2024-02-29', 'yearly', '2025-01-01', '2025-02-28'],
    ['2024-02-29', 'yearly', '2025-03-01', '2026-02-28'],
    ['2024-02-29', 'yearly', '2028-01-01', '2028-02-29'],
  ] as const)('from %s %s, on or after %s: %s', async (anchor, frequency, onDate, expected) => {
    expect(await nextPayment(anchor, frequency, onDate)).toBe(expected);
  });

  it('counts every_n_months from its interval, and has none without it', async () => {
    expect(await nextPayment('2026-01-31', 'every_n_months', '2026-02-01', 5)).toBe('2026-06-30');
    expect(await nextPayment('2026-01-31', 'every_n_months', '2026-07-01', 5)).toBe('2026-11-30');
    expect(await nextPayment('2026-01-31', 'every_n_months', '2026-12-01', 5)).toBe('2027-04-30');
    expect(await nextPayment('2026-01-31', 'every_n_months', '2026-12-01', 120)).toBe('2036-01-31');
    expect(await nextPayment('2026-01-31', 'every_n_months', '2026-12-01')).toBeNull();
  });
});

describe('the earliest end after notice', () => {
  it('is the notice day plus the notice period for a contract without a binding period', async () => {
    expect(await earliestEnd({ binding: null, notice: 1 }, '2026-01-15')).toBe('2026-02-15');
    expect(await earliestEnd({ binding: null, notice: 1 }, '2026-01-31')).toBe('2026-02-28');
    expect(await earliestEnd({ binding: null, notice: 3 }, '2027-11-30')).toBe('2028-02-29');
    expect(await earliestEnd({ binding: null, notice: 30, unit: 'days' }, '2026-02-10')).toBe('2026-03-12');
    expect(await earliestEnd({ binding: null, notice: 2, unit: 'weeks' }, '2026-12-25')).toBe('2027-01-08');
    expect(await earliestEnd({ binding: null, notice: 0 }, '2026-05-05')).toBe('2026-05-05');
  });

  it('is the end of the binding period while its deadline has not passed', async () => {
    const term = { binding: '2027-02-28', renewal: 12, notice: 1 };
    expect(await earliestEnd(term, '2026-06-01')).toBe('2027-02-28');
    // The deadline of a month-end term is a month end: 2027-01-31.
    expect(await earliestEnd(term, '2027-01-31')).toBe('2027-02-28');
  });

  it('is the end of the next renewal term once that deadline has passed, from the binding end each time', async () => {
    const term = { binding: '2027-02-28', renewal: 12, notice: 1 };
    expect(await earliestEnd(term, '2027-02-01')).toBe('2028-02-29');
    expect(await earliestEnd(term, '2028-02-01')).toBe('2029-02-28');
    expect(await earliestEnd(term, '2035-06-01')).toBe('2036-02-29');
    const mid = { binding: '2026-09-15', renewal: 6, notice: 30, unit: 'days' as const };
    expect(await earliestEnd(mid, '2026-08-16')).toBe('2026-09-15');
    expect(await earliestEnd(mid, '2026-08-17')).toBe('2027-03-15');
  });

  it('skips as many short renewal terms as a long notice period needs', async () => {
    expect(await earliestEnd({ binding: '2026-12-31', renewal: 1, notice: 3 }, '2027-01-15')).toBe('2027-04-30');
  });

  it('runs on by the notice period after the binding period when it renews without terms', async () => {
    const term = { binding: '2027-02-28', notice: 3 };
    expect(await earliestEnd(term, '2026-11-30')).toBe('2027-02-28');
    expect(await earliestEnd(term, '2026-12-01')).toBe('2027-03-01');
    expect(await earliestEnd(term, '2027-06-10')).toBe('2027-09-10');
  });

  it('is the end of the binding period for a contract that does not renew', async () => {
    const term = { binding: '2027-02-28', autoRenews: false, renewal: 12, notice: 3 };
    expect(await earliestEnd(term, '2027-02-01')).toBe('2027-02-28');
  });
});

describe('the derived dates of a contract', () => {
  it('give a renewing contract its notice deadline and next payment', async () => {
    const contract = {
      starts_on: '2025-03-01',
      first_payment_on: '2025-03-31',
      binding_ends_on: '2027-02-28',
      renewal_months: 12,
      notice_period: 1,
    };
    expect(await dates(contract, '2026-11-22')).toEqual({
      current_status: 'active',
      effective_ends_on: null,
      next_payment_on: '2026-11-30',
      earliest_end_on: '2027-02-28',
      notice_deadline_on: '2027-01-31',
    });
    expect(await dates(contract, '2027-02-10')).toMatchObject({
      earliest_end_on: '2028-02-29',
      notice_deadline_on: '2028-01-31',
    });
  });

  it('give no notice deadline to a contract that can be ended any day', async () => {
    expect(await dates({ notice_period: 1 }, '2026-05-10')).toMatchObject({
      earliest_end_on: '2026-06-10',
      notice_deadline_on: null,
      next_payment_on: '2026-06-01',
    });
    // Past the binding period's deadline, renewing without terms: any day again.
    const rolling = { binding_ends_on: '2026-06-30', notice_period: 1 };
    expect(await dates(rolling, '2026-05-31')).toMatchObject({ notice_deadline_on: '2026-05-31' });
    expect(await dates(rolling, '2026-06-01')).toMatchObject({
      notice_deadline_on: null,
      earliest_end_on: '2026-07-01',
    });
  });

  it('end a fixed term that does not renew, without notice and without payments after it', async () => {
    const fixed = { binding_ends_on: '2026-06-15', auto_renews: false, notice_period: 3 };
    expect(await dates(fixed, '2026-05-20')).toEqual({
      current_status: 'active',
      effective_ends_on: '2026-06-15',
      next_payment_on: '2026-06-01',
      earliest_end_on: '2026-06-15',
      notice_deadline_on: null,
    });
    expect(await dates(fixed, '2026-06-02')).toMatchObject({ current_status: 'active', next_payment_on: null });
    expect(await dates(fixed, '2026-06-16')).toEqual({
      current_status: 'ended',
      effective_ends_on: '2026-06-15',
      next_payment_on: null,
      earliest_end_on: null,
      notice_deadline_on: null,
    });
  });

  it('count a contract under notice as ended once its end has passed', async () => {
    const noticed = { status: 'notice_given', notice_given_on: '2026-03-10', ends_on: '2026-04-10' };
    expect(await dates(noticed, '2026-03-20')).toMatchObject({
      current_status: 'notice_given',
      effective_ends_on: '2026-04-10',
      next_payment_on: '2026-04-01',
      notice_deadline_on: null,
    });
    expect(await dates(noticed, '2026-04-11')).toMatchObject({ current_status: 'ended', next_payment_on: null });
    expect(await dates({ status: 'cancelled', ends_on: '2026-02-01' }, '2026-01-10')).toMatchObject({
      current_status: 'cancelled',
      next_payment_on: null,
    });
  });
});

describe('the normalized cost', () => {
  it.each([
    [14900, 'monthly', null, 14900, 178800],
    [10000, 'quarterly', null, 3333, 40000],
    [5000, 'quarterly', null, 1667, 20000],
    [10001, 'half_yearly', null, 1667, 20002],
    [119900, 'yearly', null, 9992, 119900],
    [10000, 'weekly', null, 43333, 520000],
    [10000, 'every_n_months', 5, 2000, 24000],
    [15, 'every_n_months', 10, 2, 18],
  ] as const)('%i %s (%s) is %i a month and %i a year', async (amount, frequency, months, monthly, yearly) => {
    expect(await cost(amount, frequency, months)).toEqual([monthly, yearly]);
  });
});
