create type public.subscription_status as enum ('trialing', 'active', 'past_due', 'canceling', 'read_only');

comment on type public.subscription_status is
  'trialing (no payment yet), active (paid), past_due (payment failed, writable until grace_until), canceling (paid until the period ends), read_only.';
