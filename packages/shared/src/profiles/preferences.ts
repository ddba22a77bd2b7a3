import { z } from 'zod';

/**
 * A user's `preferences` (the jsonb column of their profile): the one definition of what may be
 * stored there. Clients and edge functions validate with `preferencesSchema`; the database
 * refuses anything else through `preferencesJsonSchema`, embedded in SQL by a migration
 * (`private.profile_preferences_schema()`), so a client writing through the Data API cannot store
 * a value this schema rejects. Every level is optional, so a partial object is valid; unknown keys
 * are refused at every level, so a typo fails loudly instead of being kept and ignored.
 *
 * Changing this schema needs a new migration that redefines `private.profile_preferences_schema()`
 * with the new `preferencesJsonSchema`; tests/tenancy/preferences.test.ts fails until it exists.
 */
export const preferencesSchema = z.strictObject({
  notifications: z
    .strictObject({
      email: z.boolean(),
      push: z.boolean(),
      reminderDaysBefore: z.int().min(0).max(90),
      digest: z.enum(['off', 'daily', 'weekly']),
    })
    .partial()
    .optional(),
  ui: z
    .strictObject({
      theme: z.enum(['system', 'light', 'dark']),
      dateFormat: z.enum(['locale', 'iso']),
      compactLists: z.boolean(),
      defaultOrganizationId: z.uuid(),
    })
    .partial()
    .optional(),
  trash: z
    .strictObject({
      /** The trash retention given to organizations this user creates. */
      retentionDays: z.int().min(1).max(365),
      confirmBeforeDelete: z.boolean(),
    })
    .partial()
    .optional(),
});

export type Preferences = z.infer<typeof preferencesSchema>;

/** `preferencesSchema` as JSON Schema (draft 2020-12), the form the database validates against. */
export const preferencesJsonSchema = z.toJSONSchema(preferencesSchema, { target: 'draft-2020-12', io: 'input' });
