create function private.save_plan(plan jsonb)
returns public.plans
language plpgsql
security definer
set search_path = ''
as $$
declare
  editable text[] := array['id', 'name', 'stripe_price_id', 'monthly_credits', 'max_members', 'is_active', 'sort_order'];
  unknown text;
  current_row public.plans;
  merged public.plans;
begin
  perform private.require_platform_admin();
  if jsonb_typeof(plan) is distinct from 'object' or plan ->> 'id' is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'plan: an object with at least an id';
  end if;
  select string_agg(k, ', ') into unknown from jsonb_object_keys(plan) k where k <> all (editable);
  if unknown is not null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = format('not editable plan fields: %s', unknown);
  end if;
  select * into current_row from public.plans p where p.id = plan ->> 'id' for update;
  merged := jsonb_populate_record(current_row, plan);
  insert into public.plans (id, name, stripe_price_id, monthly_credits, max_members, is_active, sort_order)
  values (merged.id, merged.name, merged.stripe_price_id, coalesce(merged.monthly_credits, 0), merged.max_members,
    coalesce(merged.is_active, true), coalesce(merged.sort_order, 0))
  on conflict (id) do update set
    name = excluded.name, stripe_price_id = excluded.stripe_price_id, monthly_credits = excluded.monthly_credits,
    max_members = excluded.max_members, is_active = excluded.is_active, sort_order = excluded.sort_order
  returning * into merged;
  return merged;
end;
$$;

grant execute on function private.save_plan(jsonb) to authenticated;

create function public.save_plan(plan jsonb)
returns public.plans
language sql
set search_path = ''
as $$
  select * from private.save_plan(plan);
$$;

comment on function public.save_plan is
  'Platform admins create a plan or change the fields given, e.g. {"id": "family", "stripe_price_id": "price_..."}.';

grant execute on function public.save_plan(jsonb) to authenticated;
