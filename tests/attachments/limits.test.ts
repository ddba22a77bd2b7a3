import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql, rolledBack } from '../helpers/db.ts';
import type { Organization } from '../helpers/organizations.ts';
import { attachmentsOrg, files, newTag, pathIn, storedWithoutStorage } from './files.ts';

/**
 * Size and type limits of attachments, the same in Storage and in the database.
 */

let org: Organization;
let member: TestUser;

beforeAll(async () => {
  ({ org, member } = await attachmentsOrg());
});

describe('size and type limits', () => {
  it('are refused by Storage on upload (413, 415)', async () => {
    const [limit] = await adminSql`select max_bytes::int from private.attachment_limits()`;
    const tooLarge = await files(member).upload(
      pathIn(org.id, 'scan.pdf'),
      // A PDF by its bytes too: Storage types a file by its signature (zeros would be refused as
      // application/octet-stream before their size is looked at).
      new Blob(['%PDF-1.4\n', new Uint8Array(limit.max_bytes)], { type: 'application/pdf' }),
    );
    expect(tooLarge.error).toMatchObject({ statusCode: '413' });
    const html = await files(member).upload(pathIn(org.id, 'page.html'), new Blob(['<b>'], { type: 'text/html' }));
    expect(html.error).toMatchObject({ statusCode: '415' });
    const [{ count }] = await adminSql`select count(*)::int from storage.objects
      where bucket_id = 'attachments' and name like ${`${org.id}/%`} and name ~ '(scan\\.pdf|page\\.html)$'`;
    expect(count).toBe(0);
  });

  it('keep the bucket settings equal to the limits the database checks', async () => {
    const [row] = await adminSql`select b.public, b.file_size_limit = l.max_bytes as same_size,
        b.allowed_mime_types = l.content_types as same_types
      from storage.buckets b, private.attachment_limits() l where b.id = 'attachments'`;
    expect(row).toEqual({ public: false, same_size: true, same_types: true });
  });

  it('take the size limit from the platform configuration, and the bucket follows a change', async () => {
    const [row] = await rolledBack(async (sql) => {
      await sql`update public.app_settings set max_file_size_bytes = 1234567`;
      return sql`select b.file_size_limit::bigint::text as bucket, l.max_bytes::text as checked
        from storage.buckets b, private.attachment_limits() l where b.id = 'attachments'`;
    });
    expect(row).toEqual({ bucket: '1234567', checked: '1234567' });
  });

  it('are refused with a code when a stored file exceeds them (ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE_NOT_ALLOWED)', async () => {
    const [limit] = await adminSql`select max_bytes::int from private.attachment_limits()`;
    const tagId = await newTag(member, org.id);
    const cases = [
      {
        metadata: { size: limit.max_bytes + 1, mimetype: 'application/pdf' },
        code: 'PT413',
        message: 'ATTACHMENT_TOO_LARGE',
      },
      { metadata: { size: 10, mimetype: 'text/html' }, code: 'PT415', message: 'ATTACHMENT_TYPE_NOT_ALLOWED' },
    ];
    for (const { metadata, code, message } of cases) {
      const objectPath = await storedWithoutStorage(org.id, metadata);
      const { error, status } = await member.client
        .from('attachments')
        .insert({ org_id: org.id, object_path: objectPath, record_table: 'tags', record_id: tagId });
      expect(error).toMatchObject({ code, message });
      expect(status).toBe(Number(code.slice(2)));
    }
  });
});
