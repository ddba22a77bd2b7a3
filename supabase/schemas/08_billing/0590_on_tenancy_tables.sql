create trigger start_trial after insert on public.organizations
  for each row execute function private.start_trial();

create trigger require_good_standing before update on public.organizations
  for each row execute function private.guard_organization_update();

create trigger open_credit_account after insert on public.organizations
  for each row execute function private.open_credit_account();

create trigger guard_new_member before insert on public.memberships
  for each row execute function private.guard_new_member();

create trigger guard_new_member before insert on public.invitations
  for each row execute function private.guard_new_member();
