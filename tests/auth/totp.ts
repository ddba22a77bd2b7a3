import { Secret, TOTP } from 'otpauth';
import type { Client } from '../helpers/clients.ts';

/** The code an authenticator app shows now for a TOTP secret (base32), as GoTrue checks it. */
export function totpCode(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate();
}

/** Enrolls a TOTP factor for the client's user; returns its id and secret. */
export async function enrollTotp(client: Client, friendlyName = 'phone') {
  const { data, error } = await client.auth.mfa.enroll({ factorType: 'totp', friendlyName });
  if (error || !data) throw new Error(`enroll failed: ${error?.message}`);
  return { factorId: data.id, secret: data.totp.secret, enrolled: data };
}

/** Raises the client's session to aal2 with a code computed from the secret. */
export async function verifyTotp(client: Client, factorId: string, secret: string) {
  const { error } = await client.auth.mfa.challengeAndVerify({ factorId, code: totpCode(secret) });
  if (error) throw new Error(`verify failed: ${error.code} ${error.message}`);
}
