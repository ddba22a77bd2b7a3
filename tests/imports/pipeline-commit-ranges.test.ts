import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { commitBatch, nordeaCsv, previewStatement, runJob } from './pipeline-helpers.ts';

/**
 * The commit writes 1,000 rows a call, two calls at once where no day has rows in both
 * (supabase/functions/_shared/imports/commit-ranges.ts). Whatever ran together, every row is
 * written once, each payee gets one vendor, and each day's transactions take their references
 * in the file's order, as one call after another would give them.
 */
describe('committing a statement of several thousand rows', () => {
  let household: Household;

  beforeAll(async () => {
    household = await signUpHousehold('importranges');
  });

  const lines = 2500;
  const dayOf = (offset: number) => new Date(Date.UTC(2026, 4, 31 - offset)).toISOString().slice(0, 10);

  /** Line by line: the file's line (the header is line 1), its day and reference. */
  async function written(batchId: string) {
    return await adminSql<{ id: string; line: number; booked_on: string; reference: string; transaction_id: string }[]>`
      select r.id, r.line, t.booked_on::text, t.reference, t.id as transaction_id
      from public.import_rows r
      join public.transactions t on t.org_id = r.org_id and t.id = r.transaction_id
      where r.batch_id = ${batchId}
      order by r.line`;
  }

  /** Each day's references, in line order, must rise. */
  function expectDaysInFileOrder(rows: { booked_on: string; reference: string }[]) {
    const last = new Map<string, string>();
    for (const row of rows) {
      const before = last.get(row.booked_on);
      if (before !== undefined)
        expect(row.reference > before, `${row.booked_on}: ${row.reference} after ${before}`).toBe(true);
      last.set(row.booked_on, row.reference);
    }
  }

  it.each([
    // As banks write them, newest first: 31 rows a day, so a range's end falls inside a day.
    ['sorted by date', (i: number) => dayOf(Math.floor(i / 31)), 'Butik', 40],
    // Every day comes back every 80 rows: the ranges run one at a time. Every payee differs: the
    // commit adds 2,500 vendors before its first row.
    ['in no order', (i: number) => dayOf((i * 37) % 80), 'Handlare', lines],
  ])('writes every row of a statement %s once, each day in the file order', async (_label, day, payee, payees) => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const csv = nordeaCsv(
      Array.from({ length: lines }, (_, i) => ({
        on: day(i),
        amount: `-${i + 1},00`,
        name: `${payee} ${i % payees}`,
      })),
    );
    const { batchId } = await previewStatement(owner, orgId, account, csv);
    expect((await commitBatch(owner, orgId, batchId)).imported).toBe(lines);

    const rows = await written(batchId);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: lines }, (_, i) => i + 2));
    // Each row's transaction, under the row's own id.
    expect(rows.every((r) => r.transaction_id === r.id)).toBe(true);
    expect(rows.every((r, i) => r.booked_on === day(i))).toBe(true);
    expectDaysInFileOrder(rows);
    const vendors = await adminSql<{ normalized_name: string; n: number }[]>`
      select v.normalized_name, count(*)::int as n from public.vendors v
      where v.org_id = ${orgId} and v.deleted_at is null and v.normalized_name like ${`${payee.toLowerCase()} %`}
      group by v.normalized_name`;
    expect(vendors).toHaveLength(payees);
    expect(vendors.every((v) => v.n === 1)).toBe(true);
  });

  it("runs a call again alone when two at once both create a rule's new tag", async () => {
    // Both ranges tag their rows with a tag that does not exist yet: where the two calls meet
    // at its creation, one waits for the other and then fails on the tag's unique name (most
    // runs here), and is run again once the other has ended.
    const { owner, orgId } = household;
    const { error } = await owner.client.from('category_rules').insert({
      org_id: orgId,
      name: 'Receipts',
      conditions: [{ field: 'payee', op: 'contains', value: 'kiosk' }],
      add_tags: ['Kvitto'],
    } as never);
    expect(error).toBeNull();
    const account = await createAccount(owner, orgId);
    const csv = nordeaCsv(
      Array.from({ length: lines }, (_, i) => ({
        on: dayOf(Math.floor(i / 31)),
        amount: `-${i + 1},00`,
        name: 'Kiosken',
      })),
    );
    const { batchId } = await previewStatement(owner, orgId, account, csv);
    const job = await runJob(owner, orgId, 'import.commit', { batch_id: batchId });
    // The call that failed ran again within its step: no attempt of the job was spent on it.
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, last_error_code: null });
    expect(job.result).toMatchObject({ imported: lines });
    const tags = await adminSql<{ id: string }[]>`
      select id from public.tags where org_id = ${orgId} and lower(name) = 'kvitto' and deleted_at is null`;
    expect(tags).toHaveLength(1);
    const [{ tagged }] = await adminSql<{ tagged: number }[]>`
      select count(distinct t.id)::int as tagged
      from public.transactions t join public.transaction_tags tt on tt.org_id = t.org_id and tt.transaction_id = t.id
      where t.import_batch_id = ${batchId} and tt.tag_id = ${tags[0].id}`;
    expect(tagged).toBe(lines);
  });
});
