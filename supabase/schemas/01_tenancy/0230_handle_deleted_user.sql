-- Deleting a user (account deletion, or an operator in Studio) deletes the organizations they
-- were the only member of. Where others remain and the user was the last owner, the deletion is
-- refused with LAST_OWNER at commit: ownership must be transferred first.
create function private.handle_deleted_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.organizations o
  where o.id in (select m.org_id from public.memberships m where m.user_id = old.id)
    and not exists (select from public.memberships m where m.org_id = o.id and m.user_id <> old.id);
  return old;
end;
$$;
