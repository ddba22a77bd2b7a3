create function private.enroll_record_table(target regclass)
returns void
language plpgsql
set search_path = ''
as $$
declare
  target_name text := private.public_table_name(target);
begin

  execute format($ddl$
    alter table %1$s
      -- The default only marks the column optional for clients: stamp_record always sets it.
      add column reference text not null default '' check (reference ~ '^[A-Z][0-9]{6}$'),
      add column created_at timestamptz not null default now(),
      add column created_by uuid default auth.uid(),
      add column updated_at timestamptz not null default now(),
      add column updated_by uuid,
      add column deleted_at timestamptz,
      add column deleted_by uuid,
      add constraint %2$I unique (org_id, id),
      add constraint %3$I unique (org_id, reference);
    create index %4$I on %1$s (org_id, deleted_at) where deleted_at is not null;
    comment on column %1$s.reference is 'Human-readable reference, unique within the organization (A000001).';

    alter table %1$s enable row level security;
    create policy "members read live records" on %1$s for select to authenticated
      using (org_id = any ((select private.org_ids_with_role('viewer'))::uuid[]) and deleted_at is null);
    create policy "members add records" on %1$s for insert to authenticated
      with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
    create policy "members change live records" on %1$s for update to authenticated
      using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]) and deleted_at is null)
      with check (org_id = any ((select private.org_ids_with_role('member'))::uuid[]));
    create policy "members delete live records" on %1$s for delete to authenticated
      using (org_id = any ((select private.org_ids_with_role('member'))::uuid[]) and deleted_at is null);
    grant select, insert, update, delete on %1$s to authenticated;

    create trigger stamp_record before insert or update on %1$s
      for each row execute function private.stamp_record();
    create trigger trash_instead_of_delete before delete on %1$s
      for each row execute function private.trash_instead_of_delete();
  $ddl$,
    target,
    target_name || '_org_id_id_key',
    target_name || '_org_id_reference_key',
    target_name || '_org_id_trash_idx'
  );
  perform private.track_changes(target);
  update private.tracked_tables t set is_record = true where t.table_name = target_name;
end;
$$;
