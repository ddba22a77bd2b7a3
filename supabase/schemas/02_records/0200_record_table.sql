create function private.record_table(table_name text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not exists (select from private.tracked_tables t where t.table_name = record_table.table_name and t.is_record) then
    raise sqlstate 'PT400' using message = 'TABLE_NOT_SUPPORTED',
      detail = format('%L has no trash, references or undo.', table_name);
  end if;
  return format('public.%I', table_name);
end;
$$;
