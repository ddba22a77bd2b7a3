-- A restore gives the ids inside jsonb columns their new values too (a categorization's trail
-- names categories, a rule's conditions may name an account): before, they kept the old
-- organization's ids. Touches: private.restore_remap_ids (new), private.restore_organization.

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.restore_remap_ids(doc jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  remapped text := doc::text;
  candidate text;
  mapped uuid;
begin
  for candidate in
    select distinct m[1]
    from regexp_matches(remapped, '"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"', 'g') m
  loop
    select i.new_id into mapped from pg_temp.restore_ids i where i.old_id = candidate::uuid;
    if found then
      remapped := replace(remapped, format('"%s"', candidate), format('"%s"', mapped));
    end if;
  end loop;
  return remapped::jsonb;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.restore_organization(job_id uuid, new_org_id uuid, owner_id uuid, org_name text, base_currency text, locale locale, tables text[])
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
declare
  done jsonb;
  defaults record;
  retention integer;
  t text;
  key_column text;
  columns text;
  exprs text;
  counts jsonb := '{}';
  n bigint;
  fk record;
  top bigint := 0;
begin
  select r.summary into done from private.restores r where r.job_id = restore_organization.job_id;
  if found then
    return done;
  end if;

  select * into defaults from private.locale_defaults(coalesce(locale, 'en'));
  select (p.preferences #>> '{trash,retentionDays}')::integer into retention
  from public.profiles p where p.user_id = owner_id;
  -- As private.new_organization makes one (its triggers start the trial, the credit account and
  -- the reference sequence), with a known id.
  insert into public.organizations (id, name, kind, base_currency, locale, time_zone, trash_retention_days, created_by)
  values (new_org_id, coalesce(org_name, defaults.household_name), 'household',
          upper(coalesce(restore_organization.base_currency, defaults.currency)), coalesce(locale, 'en'),
          defaults.time_zone, coalesce(retention, 30), owner_id);
  insert into public.memberships (org_id, user_id, role) values (new_org_id, owner_id, 'owner');

  set local session_replication_role = replica;

  create temporary table restore_ids (old_id uuid primary key, new_id uuid not null) on commit drop;
  foreach t in array tables loop
    -- What the new organization started with (default categories) gives way to the backup's.
    execute format('delete from public.%I where org_id = $1', t) using new_org_id;
    select a.attname into key_column
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = format('public.%I', t)::regclass and i.indisprimary and i.indnatts = 1
      and a.atttypid = 'uuid'::regtype and a.attname <> 'org_id';
    if key_column is not null then
      insert into restore_ids (old_id, new_id)
      select (r.row_data ->> key_column)::uuid, gen_random_uuid()
      from private.restore_rows r
      where r.job_id = restore_organization.job_id and r.table_name = t
      on conflict (old_id) do nothing;
    end if;
  end loop;

  foreach t in array tables loop
    select string_agg(format('%I', a.attname), ', ' order by a.attnum),
           string_agg(
             case
               when a.attname = 'org_id' then '$2'
               when t = 'attachments' and a.attname = 'object_path' then
                 format('$2::text || coalesce(substring(x.object_path from %L), ''/'' || x.object_path)', '/.*$')
               when a.atttypid = 'uuid'::regtype then
                 format('coalesce((select i.new_id from restore_ids i where i.old_id = x.%1$I), x.%1$I)', a.attname)
               when a.atttypid = 'jsonb'::regtype then format('private.restore_remap_ids(x.%I)', a.attname)
               else format('x.%I', a.attname)
             end, ', ' order by a.attnum)
      into columns, exprs
    from pg_attribute a
    where a.attrelid = format('public.%I', t)::regclass and a.attnum > 0 and not a.attisdropped
      and a.attgenerated = '' and a.attidentity = ''
      -- Columns the backup has (an older backup lacks newer columns: they take their defaults).
      and exists (select from private.restore_rows r
                  where r.job_id = restore_organization.job_id and r.table_name = t and r.line = 0
                    and r.row_data ? a.attname);
    if columns is null then
      continue;
    end if;
    execute format(
      'insert into public.%1$I (%2$s) select %3$s from private.restore_rows r
         cross join lateral jsonb_populate_record(null::public.%1$I, r.row_data) x
       where r.job_id = $1 and r.table_name = %4$L order by r.line',
      t, columns, exprs, t)
      using job_id, new_org_id;
    get diagnostics n = row_count;
    counts := counts || jsonb_build_object(t, n);
    -- The highest reference restored: new records continue after it.
    if exists (select from pg_attribute a where a.attrelid = format('public.%I', t)::regclass
               and a.attname = 'reference' and not a.attisdropped) then
      execute format(
        'select coalesce(max((ascii(left(reference, 1)) - 65)::bigint * 999999 + right(reference, 6)::bigint), 0)
         from public.%I where org_id = $1', t)
        into n using new_org_id;
      top := greatest(top, n);
    end if;
  end loop;

  -- The foreign keys the triggers did not check: any row of the new organization pointing at
  -- nothing refuses the restore (a hand-edited backup whose checksums were recomputed).
  for fk in
    select c.conrelid::regclass as child, c.confrelid::regclass as parent, c.conname,
           array(select format('%I', attname) from unnest(c.conkey) with ordinality k(n, o)
                 join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o) as child_cols,
           array(select format('%I', attname) from unnest(c.confkey) with ordinality k(n, o)
                 join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.o) as parent_cols
    from pg_constraint c
    where c.contype = 'f' and c.conrelid = any (select format('public.%I', x)::regclass from unnest(tables) x)
  loop
    execute format(
      'select count(*) from %1$s c where c.org_id = $1 and %2$s and not exists (select from %3$s p where %4$s)',
      fk.child,
      (select string_agg(format('c.%s is not null', col), ' and ') from unnest(fk.child_cols) col),
      fk.parent,
      (select string_agg(format('p.%s = c.%s', fk.parent_cols[i], fk.child_cols[i]), ' and ')
       from generate_subscripts(fk.child_cols, 1) i))
      into n using new_org_id;
    if n > 0 then
      raise sqlstate 'PT400' using message = 'RESTORE_BACKUP_INVALID',
        detail = format('%s rows of %s point at nothing (%s).', n, fk.child, fk.conname);
    end if;
  end loop;

  set local session_replication_role = origin;

  if top > 0 then
    perform setval(private.reference_sequence(new_org_id)::regclass, top);
  end if;
  perform private.rebuild_monthly_totals(new_org_id);

  done := jsonb_build_object('org_id', new_org_id, 'tables', counts);
  insert into private.restores (job_id, org_id, summary) values (job_id, new_org_id, done);
  delete from private.restore_rows r where r.job_id = restore_organization.job_id;
  return done;
end;
$function$
;

comment on function private.restore_remap_ids(pg_catalog.jsonb) is 'A restored JSON value with the old ids in it replaced by their new ones.';

revoke all on function private.restore_remap_ids(jsonb) from public, anon, authenticated, service_role;
