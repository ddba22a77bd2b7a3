create view admin.config_history as
select c.created_at, c.table_name, c.key, c.operation, c.old_values, c.new_values, c.actor_id, u.email as actor_email, c.actor_role
from private.config_changes c
left join auth.users u on u.id = c.actor_id;

comment on view admin.config_history is 'Every change to app_settings, plans and platform_admins, and who made it.';
