-- An organization can require MFA of its members (organizations.require_mfa): the membership
-- helpers then count it only for sessions at aal2, require_org_role answers MFA_REQUIRED, and
-- only an aal2 session may turn the requirement on. Views over organizations are left as they
-- are (migra dropped and recreated them for the new column, losing their grants and options).
-- Touches: public.organizations (require_mfa), private.session_is_aal2 (new),
-- private.guard_require_mfa (new), private.org_ids_with_role, private.has_org_role,
-- private.require_org_role.

alter table "public"."organizations" add column "require_mfa" boolean not null default false;

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.guard_require_mfa()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if new.require_mfa and not old.require_mfa and current_user = 'authenticated'
    and not private.session_is_aal2() then
    raise sqlstate 'PT403' using message = 'MFA_REQUIRED',
      detail = 'Verify a second factor yourself before requiring one of every member.';
  end if;
  return new;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.session_is_aal2()
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  select coalesce((select auth.jwt() ->> 'aal'), 'aal1') = 'aal2'
$function$
;

CREATE OR REPLACE FUNCTION private.has_org_role(org_id uuid, min_role org_role)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  -- As org_ids_with_role: an organization that requires MFA needs an aal2 session.
  return exists (
    select from public.memberships m
    join public.organizations o on o.id = m.org_id
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
      and (not o.require_mfa or (select private.session_is_aal2()))
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.org_ids_with_role(min_role org_role)
 RETURNS uuid[]
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  return (
    select coalesce(array_agg(m.org_id), '{}')
    from public.memberships m
    join public.organizations o on o.id = m.org_id
    where m.user_id = (select auth.uid()) and m.role >= min_role
      and (not o.require_mfa or (select private.session_is_aal2()))
  );
end;
$function$
;

CREATE OR REPLACE FUNCTION private.require_org_role(org_id uuid, min_role org_role)
 RETURNS org_role
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  caller_role public.org_role;
  caller_id uuid := private.require_user();
begin
  select m.role into caller_role
  from public.memberships m
  where m.org_id = require_org_role.org_id and m.user_id = caller_id;
  if caller_role is null then
    if not exists (select from public.organizations o where o.id = require_org_role.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    raise sqlstate 'PT403' using message = 'NOT_A_MEMBER', detail = 'You are not a member of this organization.';
  end if;
  if caller_role < min_role then
    raise sqlstate 'PT403' using message = 'ROLE_FORBIDDEN',
      detail = format('This needs the %s role; you are %s.', min_role, caller_role);
  end if;
  if not private.session_is_aal2()
    and exists (select from public.organizations o where o.id = require_org_role.org_id and o.require_mfa) then
    raise sqlstate 'PT403' using message = 'MFA_REQUIRED',
      detail = 'This organization requires two-factor sign-in: verify your second factor first.';
  end if;
  return caller_role;
end;
$function$
;

CREATE TRIGGER guard_require_mfa BEFORE UPDATE OF require_mfa ON public.organizations FOR EACH ROW EXECUTE FUNCTION private.guard_require_mfa();

comment on column public.organizations.require_mfa is 'Members reach the organization''s data only from a session verified with a second factor (aal2).';

revoke all on function private.guard_require_mfa() from public, anon, authenticated, service_role;
revoke all on function private.session_is_aal2() from public, anon, authenticated, service_role;
grant execute on function private.session_is_aal2() to authenticated, service_role;

grant update (require_mfa) on public.organizations to authenticated;
