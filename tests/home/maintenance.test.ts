import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addDays, orgToday } from '../helpers/dates.ts';
import { adminSql } from '../helpers/db.ts';
import { addProperty } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Maintenance tasks through the Data API: the next due date, completing a task (its log and cost),
 * what is due soon.
 */
let member: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let orgId: string;
/** Today in the organization's time zone, as the database counts it. */
let today: string;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('home'), signUpHousehold('homeoutsider')]);
  ({ member, viewer, orgId } = household);
  ({ owner: outsider } = other);
  today = await orgToday(orgId);
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
    const home = await addProperty(member, orgId, 'Huset vid sjön');
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
    const { owner: fresh, orgId: freshOrg } = await signUpHousehold('duetasks');
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
