-- Events that are no table's change: a job that ends, a file that lands, credits running low.

create function private.job_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.emit_webhook_event(new.org_id,
    case when new.kind like 'import.%' then 'import.finished' else 'export.finished' end,
    jsonb_build_object('job_id', new.id, 'kind', new.kind, 'status', new.status, 'result', new.result,
                       'error_code', new.last_error_code, 'requested_by', new.requested_by,
                       'finished_at', new.finished_at));
  return null;
end;
$$;

comment on function private.job_webhook_event() is 'export.finished or import.finished when such a job ends.';

create trigger jobs_webhook_event
  after update of status on public.jobs
  for each row
  when (new.status in ('succeeded', 'failed', 'dead') and old.status is distinct from new.status
        and (new.kind like 'export.%' or new.kind like 'report.%' or new.kind like 'import.%')
        and new.kind not in ('export.purge', 'import.purge'))
  execute function private.job_webhook_event();

-- Attachments' files live under `<org_id>/...` in the attachments bucket.
create function private.file_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  folder text := split_part(new.name, '/', 1);
begin
  if folder ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    and exists (select from public.organizations o where o.id = folder::uuid) then
    perform private.emit_webhook_event(folder::uuid, 'file.uploaded', jsonb_build_object(
      'bucket', new.bucket_id, 'path', new.name, 'size', (new.metadata ->> 'size')::bigint,
      'content_type', new.metadata ->> 'mimetype', 'uploaded_by', new.owner_id));
  end if;
  return null;
end;
$$;

comment on function private.file_webhook_event() is 'file.uploaded when a file lands in an organization''s attachments folder.';

create trigger file_webhook_event after insert on storage.objects
  for each row when (new.bucket_id = 'attachments')
  execute function private.file_webhook_event();

create function private.credits_low_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.emit_webhook_event(new.org_id, 'credits.low', new.payload);
  return null;
end;
$$;

comment on function private.credits_low_webhook_event() is 'credits.low when billing notes a low credit balance.';

create trigger credits_low_webhook_event after insert on private.billing_notices
  for each row when (new.kind = 'credits_low')
  execute function private.credits_low_webhook_event();
