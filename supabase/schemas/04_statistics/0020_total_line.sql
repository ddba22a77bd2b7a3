-- One line of what a transaction adds to the totals. `part` is the split part's position (0 when
-- the transaction is not split), so a part's share can be found again.
create type private.total_line as (
  month date, dimension "char", key uuid, part smallint,
  expense_minor bigint, income_minor bigint, fixed_minor bigint, net_minor bigint, entries integer
);
