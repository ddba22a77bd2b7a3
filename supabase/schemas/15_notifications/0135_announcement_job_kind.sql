-- The job that sends a segment message (supabase/functions/_shared/notifications/announce.ts).
-- Owners may enqueue the kind, but only private.send_announcement gives a job an announcement
-- to send: the job of any other enqueue fails at its first step.
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('notifications.announce', 'owner', 10, 5,
   'Sends a platform admin''s segment message: pages through the segment, each user once, mails throttled (docs/notifications.md).');
