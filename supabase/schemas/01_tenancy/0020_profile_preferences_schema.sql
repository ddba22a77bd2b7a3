-- Exactly `preferencesJsonSchema` from packages/shared/src/profiles/preferences.ts.
create function private.profile_preferences_schema()
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select $schema$
  {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
      "notifications": {
        "type": "object",
        "properties": {
          "email": { "type": "boolean" },
          "push": { "type": "boolean" },
          "reminderDaysBefore": { "type": "integer", "minimum": 0, "maximum": 90 },
          "digest": { "type": "string", "enum": ["off", "daily", "weekly"] }
        },
        "additionalProperties": false
      },
      "ui": {
        "type": "object",
        "properties": {
          "theme": { "type": "string", "enum": ["system", "light", "dark"] },
          "dateFormat": { "type": "string", "enum": ["locale", "iso"] },
          "compactLists": { "type": "boolean" },
          "defaultOrganizationId": {
            "type": "string",
            "format": "uuid",
            "pattern": "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"
          }
        },
        "additionalProperties": false
      },
      "trash": {
        "type": "object",
        "properties": {
          "retentionDays": { "type": "integer", "minimum": 1, "maximum": 365 },
          "confirmBeforeDelete": { "type": "boolean" }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  }
  $schema$::jsonb
$$;

comment on function private.profile_preferences_schema() is
  'The JSON Schema of profile preferences, exported from zod (preferencesJsonSchema); redefine it in a new migration when that changes.';

grant execute on function private.profile_preferences_schema() to authenticated, service_role;
