create function private.raise_write_refusal(refusal text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if refusal = 'TRIAL_EXPIRED' then
    raise sqlstate 'PT402' using message = 'TRIAL_EXPIRED',
      detail = 'The trial has ended: the organization is read-only until an owner subscribes.';
  elsif refusal is not null then
    raise sqlstate 'PT402' using message = 'SUBSCRIPTION_INACTIVE',
      detail = 'The subscription is not active (unpaid, cancelled or suspended): the organization is read-only.';
  end if;
end;
$$;

grant execute on function private.raise_write_refusal(text) to authenticated, service_role;
