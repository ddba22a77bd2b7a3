import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { categoryId, categoryIds } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/** search_transactions(): keyset pages, filters, embedded names, and what it never shows. */

type Search = (args: Record<string, unknown>) => Promise<{
  data:
    | {
        reference: string;
        booked_on: string;
        amount_minor: number;
        vendor_id: string | null;
      }[]
    | null;
  error: { message: string } | null;
}>;

/**
 * A Swedish household with 30 transactions on October 1-10, 2025, three a day: Max Burgers and
 * ICA Nära Tomtebo in turn, a salary every tenth; `refs` in the order they were entered.
 */
async function searchableHousehold() {
  const { owner: searcher, orgId: searchOrg } = await signUpHousehold('search');
  const {
    groceries: grocery,
    restaurants: restaurant,
    salary: salaryCategory,
  } = await categoryIds(searcher, searchOrg);
  const rows = Array.from({ length: 30 }, (_, i) => ({
    org_id: searchOrg,
    kind: i % 10 === 9 ? ('income' as const) : ('expense' as const),
    booked_on: `2025-10-${String(1 + Math.floor(i / 3)).padStart(2, '0')}`,
    amount_minor: 1000 * (i + 1),
    currency: 'SEK',
    counterparty: i % 10 === 9 ? 'Arbetsgivaren' : i % 2 ? 'ICA Nära Tomtebo' : 'Max Burgers',
    description: i === 4 ? '50% rabatt på glass' : null,
    category_id: i % 10 === 9 ? salaryCategory : i % 2 ? grocery : restaurant,
  }));
  const { data, error } = await searcher.client.from('transactions').insert(rows).select('reference');
  if (error) throw new Error(`search rows failed: ${error.code} ${error.message}`);
  const refs = (data ?? []).map((r) => r.reference);
  const search: Search = (args) =>
    searcher.client.rpc('search_transactions', {
      org_id: searchOrg,
      ...args,
    } as never) as unknown as ReturnType<Search>;
  return { searcher, searchOrg, refs, search };
}

describe('search', () => {
  let searchOrg: string;
  let searcher: TestUser;
  let refs: string[];
  let search: Search;

  // Read by the tests below; the one that trashes a row has a household of its own.
  beforeAll(async () => {
    ({ searcher, searchOrg, refs, search } = await searchableHousehold());
  });

  it('pages newest first by keyset, never repeating or skipping a row', async () => {
    const seen: string[] = [];
    let after: { after_booked_on: string; after_reference: string } | Record<string, never> = {};
    for (;;) {
      const { data } = await search({ max_rows: 7, ...after });
      if (!data?.length) break;
      seen.push(...data.map((t) => t.reference));
      const last = data[data.length - 1];
      after = {
        after_booked_on: last.booked_on,
        after_reference: last.reference,
      };
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen)).toEqual(new Set(refs));
    expect(seen[0]).toBe(refs[29]); // the last entered on the newest day
  });

  it('filters by text (counterparty, description, vendor name), amount, date, category tree, vendor and tag', async () => {
    expect((await search({ text_query: 'ica' })).data).toHaveLength(12);
    expect((await search({ text_query: '50%' })).data?.map((t) => t.reference)).toEqual([refs[4]]);
    // The text as written, in any case: its words in another order, apart, or `_` as a wildcard find nothing.
    expect((await search({ text_query: 'Nära TOMTEBO ' })).data).toHaveLength(12);
    for (const text_query of ['tomtebo nära', 'ica tomtebo', 'ica_nära', '50 rabatt', 'max%burgers']) {
      expect((await search({ text_query })).data, text_query).toHaveLength(0);
    }
    expect(
      (
        await search({
          text_query: 'tomtebo',
          min_amount_minor: 10000,
          max_amount_minor: 20000,
        })
      ).data
        ?.map((t) => t.amount_minor)
        .sort(),
    ).toEqual([12000, 14000, 16000, 18000]);
    expect((await search({ from_date: '2025-10-09', to_date: '2025-10-10' })).data).toHaveLength(6);
    const food = await categoryId(searcher, searchOrg, 'food');
    expect((await search({ category_id: food })).data).toHaveLength(27);
    const burgers = (await search({ text_query: 'max burgers', max_rows: 1 })).data?.[0];
    expect((await search({ vendor_id: burgers?.vendor_id })).data).toHaveLength(15);
    expect((await search({ kind: 'income' })).data).toHaveLength(3);

    const { data: tag } = await searcher.client
      .from('tags')
      .insert({ org_id: searchOrg, name: 'Kvitto' })
      .select()
      .single();
    const { data: tagged } = await searcher.client
      .from('transactions')
      .select('id')
      .eq('org_id', searchOrg)
      .in('reference', refs.slice(0, 2));
    await searcher.client.from('transaction_tags').insert(
      (tagged ?? []).map((t) => ({
        org_id: searchOrg,
        transaction_id: t.id,
        tag_id: tag?.id as string,
      })),
    );
    expect((await search({ tag_id: tag?.id })).data?.map((t) => t.reference).sort()).toEqual(refs.slice(0, 2).sort());
  });

  it('embeds vendor and category names as a table query would', async () => {
    const { data, error } = await searcher.client
      .rpc('search_transactions', {
        org_id: searchOrg,
        text_query: 'tomtebo',
        max_rows: 1,
      })
      .select('reference, vendor:vendors(name), category:categories(key)');
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        reference: refs[27],
        vendor: { name: 'ICA Nära Tomtebo' },
        category: { key: 'groceries' },
      },
    ]);
  });

  it('finds nothing of other organizations and refuses unbounded pages', async () => {
    const outsider = await signUpUser('outsider');
    const { data } = await outsider.client.rpc('search_transactions', {
      org_id: searchOrg,
    });
    expect(data).toEqual([]);
    expect((await search({ max_rows: 501 })).error?.message).toBe('VALIDATION_FAILED');
    expect((await search({ after_booked_on: '2025-10-01' })).error?.message).toBe('VALIDATION_FAILED');
  });

  // A page without filters runs a query of its own (kept plan); it must list what the filtered one does.
  it('lists the same rows with or without filters, the trashed left out', async () => {
    const { searcher, searchOrg, refs, search } = await searchableHousehold();
    const { error } = await searcher.client
      .from('transactions')
      .delete()
      .eq('org_id', searchOrg)
      .eq('reference', refs[29]);
    expect(error).toBeNull();
    const plain = (await search({ max_rows: 500 })).data?.map((t) => t.reference);
    const filtered = (await search({ max_rows: 500, from_date: '2000-01-01' })).data?.map((t) => t.reference);
    expect(plain).toHaveLength(29);
    expect(plain).not.toContain(refs[29]);
    expect(plain).toEqual(filtered);
    // After the middle row of October 5: the first of that day, then October 4's, newest first.
    const after = {
      max_rows: 5,
      after_booked_on: '2025-10-05',
      after_reference: refs[13],
    };
    const page = (await search(after)).data?.map((t) => t.reference);
    expect(page).toEqual([12, 11, 10, 9, 8].map((i) => refs[i]));
    expect((await search({ ...after, from_date: '2000-01-01' })).data?.map((t) => t.reference)).toEqual(page);
  });
});
