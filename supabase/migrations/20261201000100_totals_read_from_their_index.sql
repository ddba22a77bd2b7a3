-- Found by the benchmark (bench/, issue 6), seventh round: the statistics read the totals from
-- their index alone.
-- Touches: private.monthly_totals (its primary key carries the sums).
--
-- dashboard(12 months) sums about 8,000 rows of a company with 2,000 vendors (a yearly row and
-- three monthly rows each); expense_stats and the account balances read fewer. The index finds
-- them in a few dozen pages, but the sums lived only in the heap, where rows sit in the order
-- they were written: a month's rows are written over that month, between every other
-- organization's, so one year's rows of the benchmark's company lay on about 800 pages. The
-- dashboard took 5.3 ms (one client) with the heap freshly clustered, 8.3 ms on the benchmark's
-- data after a few runs and 15 ms with the rows in random order; two fresh loads of the same
-- data measured 7.5 and 16.7 ms at p95.
--
-- The primary key now carries the sums (INCLUDE), so these reads are index-only scans in key
-- order, whatever the heap's order: 4.5 ms in both the clustered and the random layout. Rows
-- changed since the last vacuum are still checked in the heap until (auto)vacuum marks their
-- pages all-visible again: the current month's, not the years before.
--
-- The price is on the writes: a change to the sums now changes an indexed column, so an update
-- is no longer HOT and adds an index entry (the next write to the same key finds the old one
-- dead and marks it, and the page reclaims it). Measured through all triggers: 29,000 inserts
-- into one organization at one client, 1.44 ms each against 1.53 ms before (within the noise);
-- at 8 clients, three interleaved rounds, 538 inserts per second spread across households
-- against 587 (-8 %), and 648 against 640 into one organization. The index is 170 MB instead of
-- 135 MB for 1.6 million rows.
--
-- The table keeps its fillfactor of 80 (20261125000100), though its updates are no longer HOT:
-- a new version still goes on the same page while there is room, which keeps an organization's
-- rows together for the heap visits that rows changed since the last vacuum still need.

alter table private.monthly_totals
  drop constraint monthly_totals_pkey,
  add constraint monthly_totals_pkey primary key (org_id, dimension, month, key, slot)
    include (expense_minor, income_minor, fixed_minor, net_minor, entries);
