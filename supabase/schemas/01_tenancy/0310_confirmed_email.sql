create function private.confirmed_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(u.email) from auth.users u where u.id = auth.uid() and u.email_confirmed_at is not null;
$$;

comment on function private.confirmed_email() is
  'The caller''s email once Auth has confirmed it (auth.users.email_confirmed_at), lowercased; null before.';

grant execute on function private.confirmed_email() to authenticated;
