create type public.contract_frequency as enum ('weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly', 'every_n_months');

comment on type public.contract_frequency is 'How often a contract is paid; every_n_months takes its months from interval_months.';
