-- What the statistics read: the folded totals and the lines still pending. A view, so a reader's
-- conditions (organization, dimension, months) reach both: the totals stay an index-only scan.
create view private.live_totals with (security_invoker = true) as
  select m.org_id, m.dimension, m.month, m.key, m.expense_minor, m.income_minor, m.fixed_minor,
         m.net_minor, m.entries
  from private.monthly_totals m
  union all
  select p.org_id, l.dimension, l.month, l.key, l.expense_minor, l.income_minor, l.fixed_minor,
         l.net_minor, l.entries::bigint
  from private.pending_totals p
  cross join lateral unnest(p.lines) l;
