-- A write to a view that reads several tables is refused with a code, not a server error.
-- Touches: private.refuse_view_write (new); instead-of triggers on public.billing_status and
-- public.contract_overview.
--
-- Postgres refuses such a write with 55000 ("cannot update view") before it checks privileges,
-- and the Data API answers that with HTTP 500. With an instead-of trigger the view takes the
-- write: a role without the privilege (authenticated, which may only select) is refused with
-- 42501, and a role with it (service_role) reaches the trigger, which names the table to write.

create function private.refuse_view_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise sqlstate 'PT405' using message = 'VIEW_READ_ONLY',
    detail = format('%I.%I only reads; write to %s instead.', tg_table_schema, tg_table_name, tg_argv[0]);
end;
$$;
comment on function private.refuse_view_write() is
  'Instead-of trigger of a view that cannot take writes: refuses them with VIEW_READ_ONLY, naming the table to write (its argument).';

create trigger refuse_writes instead of insert or update or delete on public.billing_status
  for each row execute function private.refuse_view_write('public.subscriptions (through the billing functions)');
create trigger refuse_writes instead of insert or update or delete on public.contract_overview
  for each row execute function private.refuse_view_write('public.contracts');
