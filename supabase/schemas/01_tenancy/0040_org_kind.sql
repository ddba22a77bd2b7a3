create type public.org_kind as enum ('household', 'family', 'association', 'company');

comment on type public.org_kind is 'What an organization is; it changes defaults, never permissions.';
