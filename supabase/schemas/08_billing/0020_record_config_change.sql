create function private.record_config_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  old_data jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_data jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  before jsonb := old_data;
  after jsonb := new_data;
begin
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, o.value), jsonb_object_agg(n.key, n.value) into before, after
    from jsonb_each(new_data) n join jsonb_each(old_data) o using (key)
    where n.value is distinct from o.value and n.key not in ('updated_at', 'updated_by');
    if before is null then
      return null;
    end if;
  end if;
  insert into private.config_changes (table_name, key, operation, old_values, new_values, actor_id, actor_role)
  values (
    tg_table_name,
    coalesce(new_data, old_data) ->> (case tg_table_name when 'platform_admins' then 'user_id' else 'id' end),
    tg_op, before, after, auth.uid(),
    coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role', session_user::text)
  );
  return null;
end;
$$;
