import { describe, expect, it } from 'vitest';
import { nextRange, type OpenRow } from '../../supabase/functions/_shared/imports/commit-ranges.ts';

/** Open rows from line 2 on, `perDay` a day from `days` in turn. */
function rows(days: string[], perDay: number): OpenRow[] {
  return days.flatMap((day, d) =>
    Array.from({ length: perDay }, (_, i) => ({ line: 2 + d * perDay + i, booked_on: day })),
  );
}
const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;
const lines = (range: ReturnType<typeof nextRange>) => range && { first: range.first, last: range.last };

describe('the ranges a commit writes', () => {
  it('ends a range where a day ends in its second half, so ranges of a sorted statement share no day', () => {
    // Days of 30 rows, newest first: row 1,000 is in the middle of the 34th day, which the next
    // range starts with.
    const days = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 5, 30 - i)).toISOString().slice(0, 10));
    const range = nextRange(rows(days, 30).slice(0, 1001), 1000);
    expect(lines(range)).toEqual({ first: 2, last: 991 });
    expect(range?.days.size).toBe(33);
  });

  it('keeps a full range where no day ends in its second half', () => {
    // An unsorted statement: every day comes back every few rows.
    const unsorted = Array.from({ length: 1001 }, (_, i) => ({ line: i + 2, booked_on: day((i % 7) + 1) }));
    expect(lines(nextRange(unsorted, 1000))).toEqual({ first: 2, last: 1001 });
    // One day of more than half a range is split.
    const long = [...rows([day(1)], 300), ...rows([day(2)], 1500).map((r) => ({ ...r, line: r.line + 300 }))];
    expect(lines(nextRange(long.slice(0, 1001), 1000))).toEqual({ first: 2, last: 1001 });
  });

  it('counts open rows, not lines, and ends with the last rows', () => {
    // The lines the preview marked skip are not open.
    const open = rows([day(1), day(2), day(3)], 10).filter((r) => r.line % 3 !== 0);
    expect(lines(nextRange(open.slice(0, 9), 8))).toEqual({ first: 2, last: 11 });
    expect(lines(nextRange(open.slice(0, 5), 8))).toEqual({ first: 2, last: 8 });
    expect(nextRange([], 8)).toBeNull();
  });
});
