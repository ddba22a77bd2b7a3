-- Export files past their retention (7 days): the `export.purge` job removes them through the
-- Storage API (hosted Supabase refuses deletes from storage.objects in SQL: the bytes live
-- elsewhere). Parts of unfinished exports (`<org>/<job>/parts/...`) older than that go too.
create view admin.expired_exports as
  select o.name as object_path, o.created_at, (o.metadata ->> 'size')::bigint as size_bytes
  from storage.objects o
  where o.bucket_id = 'exports' and o.created_at < now() - interval '7 days';

comment on view admin.expired_exports is 'Export files older than the 7-day retention; export.purge removes them.';
