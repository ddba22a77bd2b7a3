-- In this order: what a person asked for runs before what a schedule asked for.
create type public.job_priority as enum ('interactive', 'scheduled');

comment on type public.job_priority is 'Interactive jobs (a member asked) run before scheduled ones.';
