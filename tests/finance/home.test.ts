import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * Properties, warranties, insurances and maintenance through the Data API, as a browser app
 * uses them: derived dates, vendors found by name, the "soon" lists, completing a task.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let orgId: string;
let outsiderOrgId: string;
/** Today in the organization's time zone, as the database counts it. */
let today: string;

const addDays = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

beforeAll(async () => {
  [owner, member, viewer, outsider] = await Promise.all([
    signUpUser('homeowner', { locale: 'sv' }),
    signUpUser('homemember'),
    signUpUser('homeviewer'),
    signUpUser('homeoutsider', { locale: 'sv' }),
  ]);
  [orgId, outsiderOrgId] = await Promise.all([personalOrg(owner), personalOrg(outsider)]);
  await join(owner, orgId, member, 'member');
  await join(owner, orgId, viewer, 'viewer');
  [{ today }] = await adminSql`select private.org_today(${orgId})::text as today`;
});

async function addProperty(user: TestUser, name: string, org = orgId) {
  const { data, error } = await user.client
    .from('properties')
    .insert({ org_id: org, kind: 'house', name })
    .select()
    .single();
  expect(error).toBeNull();
  return data as NonNullable<typeof data>;
}

describe('properties', () => {
  it('are kept by members, read by viewers, unique by name, priced with a currency', async () => {
    const home = await addProperty(member, 'Villa Solbacken');
    expect(home).toMatchObject({ kind: 'house', tenure: 'owned', reference: expect.stringMatching(/^[A-Z]\d{6}$/) });
    const changed = await member.client
      .from('properties')
      .update({ purchase_price_minor: 425000000, currency: 'SEK', purchased_on: '2019-06-01', city: 'Uppsala' })
      .eq('id', home.id)
      .select()
      .single();
    expect(changed.data).toMatchObject({ purchase_price_minor: 425000000, currency: 'SEK', city: 'Uppsala' });

    const twin = await member.client
      .from('properties')
      .insert({ org_id: orgId, kind: 'cabin', name: 'villa solbacken' });
    expect(twin.error).toMatchObject({ code: '23505' });
    const priceOnly = await member.client
      .from('properties')
      .insert({ org_id: orgId, kind: 'plot', name: 'Tomt', purchase_price_minor: 1 });
    expect(priceOnly.error).toMatchObject({
      code: '23514',
      message: expect.stringContaining('properties_price_currency_check'),
    });
    const byViewer = await viewer.client.from('properties').insert({ org_id: orgId, kind: 'plot', name: 'Tomt' });
    expect(byViewer.error).toMatchObject({ code: '42501' });
    const read = await viewer.client.from('properties').select('name').eq('id', home.id).single();
    expect(read.data?.name).toBe('Villa Solbacken');
  });

  it('are named by transactions of the same organization only', async () => {
    const foreign = await addProperty(outsider, 'Stugan', outsiderOrgId);
    const cross = await member.client.from('transactions').insert({
      org_id: orgId,
      kind: 'expense',
      booked_on: today,
      amount_minor: 100,
      currency: 'SEK',
      property_id: foreign.id,
    });
    expect(cross.error).toMatchObject({ code: '23503' });
  });
});

describe('warranties', () => {
  const addWarranty = (fields: Record<string, unknown>, user = member) =>
    user.client
      .from('warranties')
      .insert({ org_id: orgId, product: 'Diskmaskin', purchased_on: '2025-01-31', ...fields })
      .select()
      .single();

  it('derive the end date from the period, or take an end date', async () => {
    const byMonths = await addWarranty({
      warranty_months: 13,
      price_minor: 899000,
      currency: 'SEK',
      serial_number: 'SN-1',
    });
    expect(byMonths.data).toMatchObject({ ends_on: '2026-02-28', warranty_months: 13, price_minor: 899000 });
    const byDate = await addWarranty({ ends_on: '2027-01-31' });
    expect(byDate.data).toMatchObject({ ends_on: '2027-01-31', warranty_months: null });
    const agreeing = await addWarranty({ warranty_months: 24, ends_on: '2027-01-31' });
    expect(agreeing.error).toBeNull();

    const longer = await member.client
      .from('warranties')
      .update({ warranty_months: 36 })
      .eq('id', byMonths.data?.id as string)
      .select()
      .single();
    expect(longer.data?.ends_on).toBe('2028-01-31');
    const toDate = await member.client
      .from('warranties')
      .update({ warranty_months: null, ends_on: '2027-06-30' })
      .eq('id', byMonths.data?.id as string)
      .select()
      .single();
    expect(toDate.data).toMatchObject({ ends_on: '2027-06-30', warranty_months: null });
  });

  it('refuse a missing, contradictory or impossible period with WARRANTY_PERIOD_INVALID', async () => {
    for (const fields of [
      {},
      { warranty_months: 24, ends_on: '2026-01-01' },
      { warranty_months: 0 },
      { ends_on: '2024-12-31' },
    ]) {
      const { error } = await addWarranty(fields);
      expect(error, JSON.stringify(fields)).toMatchObject({ code: 'PT400', message: 'WARRANTY_PERIOD_INVALID' });
    }
    const { data } = await addWarranty({ warranty_months: 24 });
    const endOnly = await member.client
      .from('warranties')
      .update({ ends_on: '2030-01-01' })
      .eq('id', data?.id as string);
    expect(endOnly.error).toMatchObject({ code: 'PT400', message: 'WARRANTY_PERIOD_INVALID' });
  });

  it('find the seller among the vendors by name, creating it on first use', async () => {
    const first = await addWarranty({ warranty_months: 24, seller: 'Elgiganten AB' });
    const second = await addWarranty({ warranty_months: 24, seller: 'ELGIGANTEN' });
    expect(first.data?.vendor_id).toBeTruthy();
    expect(second.data?.vendor_id).toBe(first.data?.vendor_id);
    const { data: vendor } = await viewer.client
      .from('vendors')
      .select('name')
      .eq('id', first.data?.vendor_id as string)
      .single();
    expect(vendor?.name).toBe('Elgiganten AB');

    const { data: foreignVendor } = await outsider.client
      .from('vendors')
      .insert({ org_id: outsiderOrgId, name: 'Webhallen' })
      .select()
      .single();
    const cross = await addWarranty({ warranty_months: 24, vendor_id: foreignVendor?.id });
    expect(cross.error).toMatchObject({ code: '23503' });
  });

  it('list those expiring within N days, soonest first, page by page', async () => {
    const fresh = await signUpUser('warrantylist', { locale: 'sv' });
    const freshOrg = await personalOrg(fresh);
    const ends = [40, 20, -1, 5, 0].map((days) => addDays(today, days));
    for (const [i, ends_on] of ends.entries()) {
      const { error } = await fresh.client
        .from('warranties')
        .insert({ org_id: freshOrg, product: `Produkt ${i}`, purchased_on: addDays(today, -400), ends_on });
      expect(error).toBeNull();
    }
    const { data } = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, within_days: 30 });
    expect(data?.map((w) => w.ends_on)).toEqual([today, addDays(today, 5), addDays(today, 20)]);

    const first = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, within_days: 30, max_rows: 2 });
    const last = first.data?.at(-1);
    const next = await fresh.client.rpc('expiring_warranties', {
      org_id: freshOrg,
      within_days: 30,
      max_rows: 2,
      after_ends_on: last?.ends_on ?? undefined,
      after_id: last?.id,
    });
    expect(next.data?.map((w) => w.ends_on)).toEqual([addDays(today, 20)]);

    const tooMany = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, max_rows: 5000 });
    expect(tooMany.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    const foreign = await outsider.client.rpc('expiring_warranties', { org_id: freshOrg });
    expect(foreign.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
  });
});

describe('insurances', () => {
  it('hold the premium and what it comes to a year, the insurer as a vendor, and the vehicle or property insured', async () => {
    const home = await addProperty(member, 'Radhuset');
    const { data, error } = await member.client
      .from('insurances')
      .insert({
        org_id: orgId,
        kind: 'home',
        insurer: 'Länsförsäkringar',
        policy_number: 'VH-123456',
        premium_minor: 41500,
        currency: 'sek',
        frequency: 'monthly',
        renews_on: addDays(today, 10),
        coverage_notes: 'Villahemförsäkring med allrisk',
        property_id: home.id,
      })
      .select()
      .single();
    expect(error).toBeNull();
    expect(data).toMatchObject({
      currency: 'SEK',
      annual_premium_minor: 498000,
      property_id: home.id,
      vendor_id: expect.any(String),
    });

    const quarterly = await member.client
      .from('insurances')
      .update({ frequency: 'quarterly', premium_minor: 120000 })
      .eq('id', data?.id as string)
      .select()
      .single();
    expect(quarterly.data?.annual_premium_minor).toBe(480000);

    const { data: car } = await member.client
      .from('vehicles')
      .insert({ org_id: orgId, make: 'VW', model: 'ID.4', fuel: 'electric' })
      .select()
      .single();
    const both = await member.client.from('insurances').insert({
      org_id: orgId,
      kind: 'car',
      premium_minor: 1,
      currency: 'SEK',
      vehicle_id: car?.id,
      property_id: home.id,
    });
    expect(both.error).toMatchObject({ code: '23514', message: expect.stringContaining('insurances_subject_check') });

    const foreignHome = await addProperty(outsider, 'Annans hus', outsiderOrgId);
    const cross = await member.client
      .from('insurances')
      .insert({ org_id: orgId, kind: 'home', premium_minor: 1, currency: 'SEK', property_id: foreignHome.id });
    expect(cross.error).toMatchObject({ code: '23503' });
  });

  it('list the policies in force that renew within N days', async () => {
    const fresh = await signUpUser('renewals', { locale: 'sv' });
    const freshOrg = await personalOrg(fresh);
    const policies = [
      { kind: 'pet', renews_on: addDays(today, 3) },
      { kind: 'car', renews_on: addDays(today, 60) },
      { kind: 'travel', renews_on: addDays(today, 7), ended_on: addDays(today, -30) },
      { kind: 'home', renews_on: addDays(today, 1) },
    ] as const;
    for (const p of policies) {
      const { error } = await fresh.client
        .from('insurances')
        .insert({ org_id: freshOrg, premium_minor: 10000, currency: 'SEK', ...p });
      expect(error).toBeNull();
    }
    const { data } = await fresh.client.rpc('renewing_insurances', { org_id: freshOrg, within_days: 30 });
    expect(data?.map((i) => i.kind)).toEqual(['home', 'pet']);
  });
});

describe('maintenance', () => {
  const addTask = (fields: Record<string, unknown>, user = member) =>
    user.client
      .from('maintenance_tasks')
      .insert({ org_id: orgId, title: 'Byt ventilationsfilter', ...fields })
      .select()
      .single();

  it('derives the next due date from the last one and the interval', async () => {
    const fresh = await addTask({ interval_months: 6 });
    expect(fresh.data).toMatchObject({ starts_on: today, last_done_on: null, next_due_on: today });
    const done = await addTask({ interval_months: 6, last_done_on: '2025-08-31' });
    expect(done.data?.next_due_on).toBe('2026-02-28');
    const daily = await addTask({ interval_days: 10, last_done_on: '2026-01-25' });
    expect(daily.data?.next_due_on).toBe('2026-02-04');
    const oneOff = await addTask({ starts_on: '2026-09-01' });
    expect(oneOff.data?.next_due_on).toBe('2026-09-01');
    const changed = await member.client
      .from('maintenance_tasks')
      .update({ interval_months: 12 })
      .eq('id', done.data?.id as string)
      .select()
      .single();
    expect(changed.data?.next_due_on).toBe('2026-08-31');
  });

  it('refuses both intervals, or one out of range, with MAINTENANCE_INTERVAL_INVALID', async () => {
    for (const fields of [{ interval_months: 6, interval_days: 30 }, { interval_months: 0 }, { interval_days: 4000 }]) {
      const { error } = await addTask(fields);
      expect(error, JSON.stringify(fields)).toMatchObject({ code: 'PT400', message: 'MAINTENANCE_INTERVAL_INVALID' });
    }
  });

  it('completes a task: logs it with its cost and schedules the next time', async () => {
    const home = await addProperty(member, 'Huset vid sjön');
    const { data: task } = await addTask({
      title: 'Rensa hängrännor',
      interval_months: 12,
      property_id: home.id,
      last_done_on: '2025-05-10',
    });
    const { data, error } = await member.client.rpc('complete_maintenance_task', {
      task_id: task?.id as string,
      done_on: '2026-05-03',
      cost_minor: 120000,
      notes: 'Stege lånad av grannen',
    });
    expect(error).toBeNull();
    const { task: after, log } = data as { task: Record<string, unknown>; log: Record<string, unknown> };
    expect(after).toMatchObject({ last_done_on: '2026-05-03', next_due_on: '2027-05-03' });
    expect(log).toMatchObject({
      task_id: task?.id,
      done_on: '2026-05-03',
      cost_minor: 120000,
      currency: 'SEK',
      base_cost_minor: 120000,
    });

    // History logged later does not move the schedule back.
    const older = await member.client.rpc('complete_maintenance_task', {
      task_id: task?.id as string,
      done_on: '2025-11-01',
    });
    expect((older.data as { task: { next_due_on: string } }).task.next_due_on).toBe('2027-05-03');

    // A log written straight through the Data API moves it the same way, in another currency.
    await member.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'EUR', rate_date: '2026-06-01', rate: 11.2 });
    const direct = await member.client
      .from('maintenance_logs')
      .insert({ org_id: orgId, task_id: task?.id as string, done_on: '2026-06-02', cost_minor: 5000, currency: 'EUR' })
      .select()
      .single();
    expect(direct.data).toMatchObject({ base_cost_minor: 56000 });
    const { data: moved } = await viewer.client
      .from('maintenance_tasks')
      .select('last_done_on, next_due_on')
      .eq('id', task?.id as string)
      .single();
    expect(moved).toEqual({ last_done_on: '2026-06-02', next_due_on: '2027-06-02' });

    const { data: logs } = await viewer.client
      .from('maintenance_logs')
      .select('done_on')
      .eq('task_id', task?.id as string)
      .order('done_on', { ascending: false })
      .order('reference', { ascending: false })
      .limit(10);
    expect(logs?.map((l) => l.done_on)).toEqual(['2026-06-02', '2026-05-03', '2025-11-01']);
  });

  it('closes a one-off task once done', async () => {
    const { data: task } = await addTask({ title: 'Byt vattenberedare', starts_on: '2026-03-01' });
    const { data } = await member.client.rpc('complete_maintenance_task', {
      task_id: task?.id as string,
      done_on: '2026-03-04',
    });
    expect((data as { task: Record<string, unknown> }).task).toMatchObject({
      last_done_on: '2026-03-04',
      next_due_on: null,
    });
  });

  it('is completed by members only, on live tasks of their organization', async () => {
    const { data: task } = await addTask({ interval_months: 3 });
    const byViewer = await viewer.client.rpc('complete_maintenance_task', { task_id: task?.id as string });
    expect(byViewer.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const byOutsider = await outsider.client.rpc('complete_maintenance_task', { task_id: task?.id as string });
    expect(byOutsider.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
    const [{ logs }] =
      await adminSql`select count(*)::int as logs from public.maintenance_logs where task_id = ${task?.id as string}`;
    expect(logs).toBe(0);

    await member.client
      .from('maintenance_tasks')
      .delete()
      .eq('id', task?.id as string);
    const onTrashed = await member.client.rpc('complete_maintenance_task', { task_id: task?.id as string });
    expect(onTrashed.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
    const directOnTrashed = await member.client
      .from('maintenance_logs')
      .insert({ org_id: orgId, task_id: task?.id as string, done_on: today });
    expect(directOnTrashed.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
  });

  it('lists what is overdue or due within N days, most overdue first', async () => {
    const fresh = await signUpUser('duetasks', { locale: 'sv' });
    const freshOrg = await personalOrg(fresh);
    const tasks = [
      { title: 'Serva värmepumpen', interval_months: 24, last_done_on: addDays(today, -740) }, // overdue
      { title: 'Rensa hängrännor', starts_on: addDays(today, 10) },
      { title: 'Sota skorstenen', starts_on: addDays(today, 45) },
      { title: 'Byt filter', interval_days: 90, last_done_on: addDays(today, -90) }, // due today
    ];
    for (const task of tasks) {
      const { error } = await fresh.client.from('maintenance_tasks').insert({ org_id: freshOrg, ...task });
      expect(error).toBeNull();
    }
    const { data } = await fresh.client.rpc('due_maintenance_tasks', { org_id: freshOrg, within_days: 14 });
    expect(data?.map((t) => t.title)).toEqual(['Serva värmepumpen', 'Byt filter', 'Rensa hängrännor']);
    const foreign = await outsider.client.rpc('due_maintenance_tasks', { org_id: freshOrg });
    expect(foreign.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
  });
});
