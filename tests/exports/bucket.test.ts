import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serviceClient } from '../helpers/clients.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

describe('the exports bucket', () => {
  it('lets any member of the organization download its exports through a signed URL, and nobody else', async () => {
    const { orgId, owner, viewer } = await householdWithMembers('exportsbucket');
    const stranger = await signUpHousehold('exportsstranger');
    const path = `${orgId}/${randomUUID()}/transactions.csv`;
    const body = 'Reference;Date\r\nA000001;2026-01-01\r\n';
    // Only the worker writes here, with the secret key.
    const written = await serviceClient().storage.from('exports').upload(path, body, { contentType: 'text/csv' });
    expect(written.error).toBeNull();
    expect(
      (await owner.client.storage.from('exports').upload(`${orgId}/${randomUUID()}/x.csv`, body)).error,
    ).not.toBeNull();

    const signed = await viewer.client.storage.from('exports').createSignedUrl(path, 60);
    expect(signed.error).toBeNull();
    const response = await fetch(signed.data?.signedUrl as string);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(body);

    const refused = await stranger.owner.client.storage.from('exports').createSignedUrl(path, 60);
    expect(refused.data).toBeNull();
    expect(refused.error).not.toBeNull();
    expect((await stranger.owner.client.storage.from('exports').download(path)).data).toBeNull();
  });
});
