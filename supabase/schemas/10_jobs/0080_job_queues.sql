-- Two pgmq queues, read in this order: interactive work before scheduled work. A message
-- carries only its job's id; the job row is the truth.
select pgmq.create('jobs');

select pgmq.create('jobs_scheduled');
