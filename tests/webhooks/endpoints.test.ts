import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrganization, type Organization, untyped } from '../helpers/organizations.ts';

/**
 * Registering receivers: only admins register and see secrets, URLs that point inside a network
 * are refused before anything is sent, and a rotated secret keeps signing for its overlap.
 * Delivery itself is in delivery.test.ts.
 */

let org: Organization;
let other: Organization;

beforeAll(async () => {
  [org, other] = await Promise.all([createOrganization('hooks'), createOrganization('hooks-other')]);
});

async function register(who: Organization['owner'], url: string, eventTypes = ['tag.*'], preset?: string) {
  return untyped({ client: who.client }).rpc('create_webhook_endpoint', {
    org_id: org.id,
    url,
    event_types: eventTypes,
    ...(preset ? { preset } : {}),
  });
}

describe('webhook endpoints', () => {
  it('lets an admin register a receiver and answers its secret once; members see the endpoint, not the secret', async () => {
    const { data, error } = await register(org.owner, 'https://hooks.example.com/westwallet', [
      'tag.created',
      'credits.low',
    ]);
    expect(error).toBeNull();
    expect(data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(data).toMatchObject({ org_id: org.id, enabled: true, preset: 'standard' });

    const member = await addMember(org, 'member');
    const seen = await untyped(member).from('webhook_endpoints').select('*').eq('id', data.id).single();
    expect(seen.error).toBeNull();
    expect(JSON.stringify(seen.data)).not.toContain(data.secret);
    const secrets = await untyped(member).rpc('webhook_endpoint_secrets', { endpoint_id: data.id });
    expect(secrets.error?.message).toBe('ROLE_FORBIDDEN');
    const registered = await register(member, 'https://hooks.example.com/member');
    expect(registered.error?.message).toBe('ROLE_FORBIDDEN');
    const log = await untyped(member).from('webhook_deliveries').select('id').eq('endpoint_id', data.id);
    expect(log.data).toEqual([]);

    // Another organization's admin does not learn the endpoint exists.
    const foreign = await untyped(other.owner).rpc('webhook_endpoint_secrets', { endpoint_id: data.id });
    expect(foreign.error?.message).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
    const owned = await untyped(org.owner).rpc('webhook_endpoint_secrets', { endpoint_id: data.id });
    expect(owned.data).toEqual([{ secret: data.secret, expires_at: null }]);
  });

  it.each([
    ['a private address', 'http://10.1.2.3/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['a private address in 172.16/12', 'https://172.20.0.1:8443/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', 'WEBHOOK_URL_FORBIDDEN'],
    ['cloud metadata by name', 'http://metadata.google.internal/computeMetadata/v1/', 'WEBHOOK_URL_FORBIDDEN'],
    ['an IPv4-mapped private address', 'http://[::ffff:192.168.1.1]/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['IPv6 unique-local', 'http://[fd00:ec2::254]/', 'WEBHOOK_URL_FORBIDDEN'],
    ['a bare intranet name', 'http://intranet/hook', 'WEBHOOK_URL_FORBIDDEN'],
    ['another scheme', 'ftp://hooks.example.com/x', 'WEBHOOK_URL_INVALID'],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/x', 'WEBHOOK_URL_INVALID'],
    ['not a URL', 'hooks.example.com', 'WEBHOOK_URL_INVALID'],
  ])('refuses %s at registration', async (_, url, code) => {
    const { error } = await register(org.owner, url);
    expect(error?.message).toBe(code);
    expect(error?.code).toBe('PT400');
  });

  it("refuses unknown event types and presets, and accepts each record table's and the catalog's", async () => {
    expect((await register(org.owner, 'https://hooks.example.com/a', ['tag.exploded'])).error?.message).toBe(
      'WEBHOOK_EVENT_TYPE_UNKNOWN',
    );
    expect((await register(org.owner, 'https://hooks.example.com/a', [])).error?.message).toBe(
      'WEBHOOK_EVENT_TYPE_UNKNOWN',
    );
    expect((await register(org.owner, 'https://hooks.example.com/a', ['*'], 'myspace')).error?.message).toBe(
      'WEBHOOK_PRESET_UNKNOWN',
    );
    const accepted = await register(
      org.owner,
      'https://hooks.example.com/b',
      [
        'transaction.created',
        'contract.*',
        'membership.deleted',
        'file.uploaded',
        'export.finished',
        'subscription.state_changed',
      ],
      'discord',
    );
    expect(accepted.error).toBeNull();
  });

  it('rotates a secret with an overlap during which the old one still signs', async () => {
    const { data: endpoint } = await register(org.owner, 'https://hooks.example.com/rotate');
    const { data: rotated, error } = await untyped(org.owner).rpc('rotate_webhook_secret', {
      endpoint_id: endpoint.id,
      overlap_seconds: 3600,
    });
    expect(error).toBeNull();
    expect(rotated).not.toBe(endpoint.secret);
    const { data: secrets } = await untyped(org.owner).rpc('webhook_endpoint_secrets', { endpoint_id: endpoint.id });
    expect(secrets.map((s: { secret: string }) => s.secret)).toEqual([rotated, endpoint.secret]);
    expect(secrets[1].expires_at).not.toBeNull();

    // Rotating again ends the overlap of the first secret at once.
    const { data: third } = await untyped(org.owner).rpc('rotate_webhook_secret', {
      endpoint_id: endpoint.id,
      overlap_seconds: 0,
    });
    const { data: after } = await untyped(org.owner).rpc('webhook_endpoint_secrets', { endpoint_id: endpoint.id });
    expect(after.map((s: { secret: string }) => s.secret)).toEqual([third]);

    const bad = await untyped(org.owner).rpc('rotate_webhook_secret', {
      endpoint_id: endpoint.id,
      overlap_seconds: -1,
    });
    expect(bad.error?.message).toBe('WEBHOOK_OVERLAP_INVALID');
  });
});
