import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { rolledBack } from '../helpers/db.ts';
import type { Organization } from '../helpers/organizations.ts';
import { attach, attachmentsOrg, newTag, pathIn, upload } from './files.ts';

/**
 * Files no attachment points at, listed for operators.
 */

let org: Organization;
let member: TestUser;

beforeAll(async () => {
  ({ org, member } = await attachmentsOrg());
});

describe('orphaned files', () => {
  it('lists files no attachment points at, after a day, for operators to remove', async () => {
    const attachment = await attach(member, org.id, await newTag(member, org.id));
    const loose = await upload(member, pathIn(org.id));
    const listed = await rolledBack(async (sql) => {
      await sql`update storage.objects set created_at = now() - interval '2 days'
        where bucket_id = 'attachments' and name in (${attachment.object_path}, ${loose})`;
      return sql`select object_path from admin.orphaned_attachment_files
        where object_path in (${attachment.object_path}, ${loose})`;
    });
    expect(listed.map((row) => row.object_path)).toEqual([loose]);
  });
});
