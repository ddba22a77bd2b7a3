-- Payments: the transactions that pay a contract. Purging a contract keeps its payments.
alter table public.transactions
  add foreign key (org_id, contract_id) references public.contracts (org_id, id) on delete set null (contract_id);
