create type public.notice_period_unit as enum ('days', 'weeks', 'months');
