create function private.sync_attachment_bucket_with_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.sync_attachment_bucket();
  return null;
end;
$$;
