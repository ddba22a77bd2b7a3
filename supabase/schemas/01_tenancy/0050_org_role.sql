-- Declared from least to most: `role >= 'admin'` reads as "admin or owner".
create type public.org_role as enum ('viewer', 'member', 'admin', 'owner');

comment on type public.org_role is
  'viewer reads; member also writes data; admin also manages members, invitations and settings; owner also billing and deletion.';
