import { z } from 'zod';

/** What an `import.backup` job takes: the ZIP in the caller's own folder of the `restores` bucket. */
export const restoreParams = z.strictObject({
  /** `<your user id>/<file>.zip` in the `restores` bucket. */
  path: z.string().min(1).max(1024),
  /** The new organization's name; the backed-up organization's when left out. */
  name: z.string().trim().min(1).max(200).optional(),
});

export type RestoreParams = z.infer<typeof restoreParams>;

/** Where an attachment's file goes: the same path, moved from the old organization's folder into the new one's. */
export function restoredObjectPath(objectPath: string, orgId: string): string {
  const slash = objectPath.indexOf('/');
  return `${orgId}${slash < 0 ? `/${objectPath}` : objectPath.slice(slash)}`;
}
