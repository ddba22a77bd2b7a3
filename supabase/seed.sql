-- Local demo data, applied by `npm start` on a new database and by `npm run db:reset`
-- (and by `supabase db reset` on a Docker stack). Never runs on a hosted project.

-- The demo login printed by `npm start`: demo@westwallet.app / westwallet-demo.
-- Token columns are '' rather than null because GoTrue cannot read null tokens.
insert into auth.users (
  id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
) values (
  'd3e40000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'demo@westwallet.app',
  extensions.crypt('westwallet-demo', extensions.gen_salt('bf', 10)), now(),
  '', '', '', '',
  '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo", "locale": "sv", "household_name": "Familjen Demo"}', now(), now()
);

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'd3e40000-0000-4000-8000-000000000002', 'd3e40000-0000-4000-8000-000000000001', 'd3e40000-0000-4000-8000-000000000001',
  '{"sub": "d3e40000-0000-4000-8000-000000000001", "email": "demo@westwallet.app", "email_verified": true}',
  'email', now(), now(), now()
);

-- The demo household (created by the sign-up trigger above) gets a few tags.
insert into public.tags (org_id, name, color)
select o.id, t.name, t.color
from public.organizations o
cross join (values ('Mat', '#2e7d32'), ('Bil', '#1565c0'), ('Barn', '#f9a825'), ('Semester', '#6a1b9a')) as t (name, color)
where o.created_by = 'd3e40000-0000-4000-8000-000000000001';
