import fs from 'node:fs';
import { parse } from 'smol-toml';

/**
 * The Auth settings of supabase/config.toml that the suites check against: the same file
 * configures the local stack, `supabase start` and (pushed) the hosted project.
 */
const toml = parse(fs.readFileSync(new URL('../../supabase/config.toml', import.meta.url), 'utf8')) as {
  auth: {
    site_url: string;
    refresh_token_reuse_interval: number;
    minimum_password_length: number;
    email: { enable_confirmations: boolean };
    rate_limit: { email_sent: number; sign_in_sign_ups: number; token_refresh: number; token_verifications: number };
  };
};

export const authConfig = toml.auth;
