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
