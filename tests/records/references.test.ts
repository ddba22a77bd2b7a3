import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers, personalOrg } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * References (A000001, ...): allocated per organization, never chosen nor taken from another,
 * and found again; exercised on `tags`, the first record table.
 */
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ member, viewer, orgId } = await householdWithMembers('rec', {}));
});

describe('references', () => {
  it('are allocated per organization one after another (A000001, A000002, ...) and cannot be chosen', async () => {
    const fresh = await signUpUser('refs');
    const freshOrg = await personalOrg(fresh);
    // A new organization's default categories took the first references.
    const [{ next }] = await adminSql`
      select count(*)::int + 1 as next from public.categories where org_id = ${freshOrg}`;
    const first = await fresh.client
      .from('tags')
      .insert({ org_id: freshOrg, name: 'one', reference: 'Z999999' })
      .select()
      .single();
    const second = await fresh.client.from('tags').insert({ org_id: freshOrg, name: 'two' }).select().single();
    const [expected] = await adminSql`
      select private.format_reference(${next}) as first, private.format_reference(${next + 1}) as second`;
    expect([first.data?.reference, second.data?.reference]).toEqual([expected.first, expected.second]);
  });

  it('advance the letter after 999999', async () => {
    const fresh = await signUpUser('rollover');
    const freshOrg = await personalOrg(fresh);
    const [{ seq }] = await adminSql`select private.reference_sequence(${freshOrg}) as seq`;
    await adminSql`select setval(${seq}::regclass, 999998)`;
    const refs: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { data } = await fresh.client.from('tags').insert({ org_id: freshOrg, name }).select('reference').single();
      refs.push(data?.reference as string);
    }
    expect(refs).toEqual(['A999999', 'B000001', 'B000002']);
  });

  it('fail with ID_SEQUENCE_FAILED when none can be allocated', async () => {
    const fresh = await signUpUser('exhausted');
    const freshOrg = await personalOrg(fresh);
    const [{ seq }] = await adminSql`select private.reference_sequence(${freshOrg}) as seq`;
    await adminSql`select setval(${seq}::regclass, 25999974)`;
    const { error } = await fresh.client.from('tags').insert({ org_id: freshOrg, name: 'one too many' });
    expect(error).toMatchObject({ code: 'PT500', message: 'ID_SEQUENCE_FAILED' });
  });

  it('are never taken from an organization the writer may not write to', async () => {
    const outsider = await signUpUser('refthief');
    const [{ seq }] = await adminSql`select private.reference_sequence(${orgId}) as seq`;
    const [before] = await adminSql.unsafe(`select last_value from ${seq}`);
    const stolen = await outsider.client.from('tags').insert({ org_id: orgId, name: 'not mine' });
    expect(stolen.error).toMatchObject({ code: '42501' });
    const byViewer = await viewer.client.from('tags').insert({ org_id: orgId, name: 'read only' });
    expect(byViewer.error).toMatchObject({ code: '42501' });
    const [after] = await adminSql.unsafe(`select last_value from ${seq}`);
    expect(after.last_value).toBe(before.last_value);

    const nowhere = await serviceClient().from('tags').insert({ org_id: crypto.randomUUID(), name: 'orphan' });
    expect(nowhere.error).toMatchObject({ code: 'PT404', message: 'ORGANIZATION_NOT_FOUND' });
  });

  it('find a record, case-insensitively, and refuse a malformed one with ID_FORMAT_INVALID', async () => {
    const tag = await addTag(member, orgId, 'Findable');
    const found = await viewer.client.rpc('find_by_reference', {
      org_id: orgId,
      reference: tag.reference.toLowerCase(),
    });
    expect(found.data).toMatchObject({ table: 'tags', id: tag.id, record: { name: 'Findable' } });

    for (const reference of ['A00001', 'AA00001', '1000001', 'A000000', '']) {
      const bad = await viewer.client.rpc('find_by_reference', { org_id: orgId, reference });
      expect(bad.error, reference).toMatchObject({ code: 'PT400', message: 'ID_FORMAT_INVALID' });
    }
    const missing = await viewer.client.rpc('find_by_reference', { org_id: orgId, reference: 'Y999999' });
    expect(missing.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
    const outsider = await signUpUser('refoutsider');
    const foreign = await outsider.client.rpc('find_by_reference', { org_id: orgId, reference: tag.reference });
    expect(foreign.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
  });
});
