create function private.require_good_standing_for_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_good_standing(case when tg_op = 'DELETE' then old.org_id else new.org_id end);
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
