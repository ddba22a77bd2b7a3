select private.track_changes('public.organizations', 'id');

create trigger manage_reference_sequence after insert or delete on public.organizations
  for each row execute function private.manage_reference_sequence();

select private.track_changes('public.memberships');

select private.track_changes('public.invitations', shared_with_members => false);
