create view admin.job_queues as
select m.queue_name, m.queue_length, m.oldest_msg_age_sec, m.newest_msg_age_sec, m.total_messages
from pgmq.metrics_all() m
where m.queue_name in ('jobs', 'jobs_scheduled');

comment on view admin.job_queues is
  'The jobs'' pgmq queues: messages in them (visible or held by a worker) and the oldest one''s age.';
