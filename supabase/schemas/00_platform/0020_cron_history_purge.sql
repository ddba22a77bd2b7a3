-- pg_cron records every run and never forgets one: the fold alone adds 86,400 rows a day. A day
-- of successful runs and a week of failed ones are enough to answer for a job.
select cron.schedule('cron-history-purge', '29 * * * *',
  $$delete from cron.job_run_details
    where end_time < now() - interval '7 days' or (status = 'succeeded' and end_time < now() - interval '1 day')$$);
