-- Found by the benchmark (bench/, issue 6), fifth round: search_transactions tells the planner
-- how many rows a page has.
-- Touches: public.search_transactions and private.search_transactions (their row estimate).
--
-- A set-returning function is planned as if it returned 1,000 rows unless it says otherwise.
-- For a page of search_transactions with category and vendor names, the Data API's query then
-- joined the page to every category and every vendor of the organization by hash (all 2,029
-- vendors of the benchmark's company, 1.5 ms to build the hash) instead of looking up the 50
-- rows' own (0.01 ms each). A page is 50 rows by default (max_rows, at most 500): with that
-- estimate the lookups are index lookups. Page 101 of the company's list, as the Data API asks
-- for it: 3.6 ms to 2.4 ms under EXPLAIN ANALYZE.
alter function private.search_transactions(uuid, text, date, date, bigint, bigint, uuid, uuid, uuid, uuid,
                                           public.transaction_kind, date, text, integer) rows 50;
alter function public.search_transactions(uuid, text, date, date, bigint, bigint, uuid, uuid, uuid, uuid,
                                          public.transaction_kind, date, text, integer) rows 50;
