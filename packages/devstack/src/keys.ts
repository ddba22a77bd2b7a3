import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateApiKey } from '@supabase/lite';

/** The API keys of a stack: publishable (role anon), secret (role service_role), and the JWT secret. */
export interface StackKeys {
  publishableKey: string;
  secretKey: string;
  jwtSecret: string;
}

export async function generateKeys(): Promise<StackKeys> {
  const [publishable, secret] = await Promise.all([generateApiKey('publishable'), generateApiKey('secret')]);
  return { publishableKey: publishable.key, secretKey: secret.key, jwtSecret: randomBytes(32).toString('base64url') };
}

/** Keys kept in the state folder, so clients configured once keep working across restarts. */
export async function loadOrCreateKeys(stateDir: string): Promise<StackKeys> {
  const file = path.join(stateDir, 'keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as StackKeys;
  const keys = await generateKeys();
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}
