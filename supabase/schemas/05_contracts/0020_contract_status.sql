-- active: runs (and renews); notice_given: ends on ends_on; ended: ran its course (after notice
-- or at the end of a fixed term); cancelled: terminated early or never took effect.
create type public.contract_status as enum ('active', 'notice_given', 'ended', 'cancelled');
