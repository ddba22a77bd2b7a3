-- Who or what gave a transaction its category: the stages of the cascade, in order, and the user.
create type public.categorize_stage as enum ('rule', 'history', 'merchant', 'llm', 'user');

-- When a rule runs, as in Actual Budget: every `before` rule, then `default`, then `after`; a
-- later rule's action wins over an earlier one's.
create type public.rule_stage as enum ('before', 'default', 'after');
