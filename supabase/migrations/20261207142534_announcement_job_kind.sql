-- The job kind that sends segment messages (15_notifications/0135_announcement_job_kind.sql).
-- Touches: private.job_kinds (a row).
insert into private.job_kinds (name, role, max_attempts, retry_base_seconds, description) values
  ('notifications.announce', 'owner', 10, 5,
   'Sends a platform admin''s segment message: pages through the segment, each user once, mails throttled (docs/notifications.md).');
