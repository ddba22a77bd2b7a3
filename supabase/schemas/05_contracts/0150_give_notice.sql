create function private.give_notice(contract_id uuid, notice_on date, ends_on date)
returns public.contracts
language plpgsql
security definer
set search_path = ''
as $$
declare
  found public.contracts;
begin
  select * into found from public.contracts c where c.id = give_notice.contract_id and c.deleted_at is null for update;
  if found.id is null or not private.has_org_role(found.org_id, 'viewer') then
    raise sqlstate 'PT404' using message = 'CONTRACT_NOT_FOUND', detail = format('No contract %s in your organizations.', contract_id);
  end if;
  perform private.require_org_role(found.org_id, 'member');
  if found.status <> 'active' then
    raise sqlstate 'PT409' using message = 'CONTRACT_NOT_ACTIVE',
      detail = format('Notice is given on an active contract; this one is %s.', found.status);
  end if;
  -- prepare_contract fills in today and the earliest possible end for what is not given.
  update public.contracts c
  set status = 'notice_given', notice_given_on = give_notice.notice_on, ends_on = give_notice.ends_on
  where c.id = found.id
  returning * into found;
  return found;
end;
$$;

grant execute on function private.give_notice(uuid, date, date) to authenticated;

create function public.give_notice(contract_id uuid, notice_on date default null, ends_on date default null)
returns public.contracts
language sql
set search_path = ''
as $$
  select * from private.give_notice(contract_id, notice_on, ends_on);
$$;

comment on function public.give_notice is
  'Members give notice on an active contract: status notice_given, notice_given_on (default today) and ends_on (default the earliest day it can end after that notice); returns the contract.';

grant execute on function public.give_notice(uuid, date, date) to authenticated;
