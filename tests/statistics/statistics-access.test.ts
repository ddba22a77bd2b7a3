import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/** Who may read expense_stats() and dashboard(), and what they refuse to answer. */

describe('expense_stats and dashboard', () => {
  it('are for members only, and validate their input', async () => {
    const { owner, orgId } = await signUpHousehold('stats');
    const outsider = await signUpUser('statsout');
    expect((await outsider.client.rpc('expense_stats', { org_id: orgId, year: 2026 })).error?.message).toBe(
      'NOT_A_MEMBER',
    );
    expect((await owner.client.rpc('expense_stats', { org_id: orgId, year: 20260 })).error?.message).toBe(
      'VALIDATION_FAILED',
    );
    const backwards = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-03-01',
      to_date: '2026-01-01',
    });
    expect(backwards.error?.message).toBe('VALIDATION_FAILED');
  });
});
