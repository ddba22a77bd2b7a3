import { authError } from './http.ts';
import { clientIp } from './sessions.ts';

/**
 * GoTrue's per-client rate limits, keyed by the client's address as the platform's are: the first
 * `X-Forwarded-For` address (hosted, the gateway sets it; locally a proxy or a test may), else the
 * address the request came from. So a script that signs up 40 users in a row from this machine
 * gets 429 as it would hosted; the test suite gives each of its clients an address of its own
 * (tests/helpers/clients.ts), as each of its users would have.
 *
 * Each limit is GoTrue's token bucket (tollbooth): it holds `burst` requests and refills at the
 * configured rate. GoTrue's burst is 30 for every IP limit, which with the config's 30 per 5
 * minutes is exactly "30 sign-ups, then 429". The email limit counts emails per hour; GoTrue's
 * counts them per project, the local stack per client (with the same header), so that one test
 * reaching it leaves the rest of the suite alone.
 */

export interface RateLimitConfig {
  email_sent?: number;
  sign_in_sign_ups?: number;
  token_refresh?: number;
  token_verifications?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Limit {
  burst: number;
  perSecond: number;
}

/** GoTrue's default for MFA challenges and verifications (GOTRUE_MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY), per minute. */
const MFA_PER_MINUTE = 15;
const GOTRUE_BURST = 30;

export type LimitName =
  | 'signup'
  | 'recover'
  | 'resend'
  | 'magiclink'
  | 'otp'
  | 'user'
  | 'token'
  | 'verify'
  | 'factor_challenge'
  | 'factor_verify'
  | 'email';

export interface RateLimiter {
  /** The client a request counts for: its address, or null when none is known. */
  clientOf(request: Request, peerAddress: string | null): string | null;
  /** Takes one request from the client's bucket; a 429 when it is empty. */
  take(name: Exclude<LimitName, 'email'>, client: string | null): Response | null;
  /** Whether the client may be sent an email now (429 over_email_send_rate_limit when not). */
  checkEmail(client: string | null): Response | null;
  /** Counts an email sent to the client's account. */
  countEmail(client: string | null): void;
}

export function createRateLimiter(config: RateLimitConfig): RateLimiter {
  const fiveMinutes = (limit: number | undefined, fallback: number): Limit => ({
    burst: GOTRUE_BURST,
    perSecond: (limit ?? fallback) / 300,
  });
  const signInsSignUps = fiveMinutes(config.sign_in_sign_ups, 30);
  const limits: Record<LimitName, Limit> = {
    signup: signInsSignUps,
    recover: signInsSignUps,
    resend: signInsSignUps,
    magiclink: signInsSignUps,
    otp: signInsSignUps,
    user: signInsSignUps,
    token: fiveMinutes(config.token_refresh, 150),
    verify: fiveMinutes(config.token_verifications, 30),
    factor_challenge: { burst: GOTRUE_BURST, perSecond: MFA_PER_MINUTE / 60 },
    factor_verify: { burst: GOTRUE_BURST, perSecond: MFA_PER_MINUTE / 60 },
    email: { burst: config.email_sent ?? 2, perSecond: (config.email_sent ?? 2) / 3600 },
  };
  const buckets = new Map<string, Bucket>();

  /** The client's bucket for a limit, refilled for the time since it was last used. */
  const bucket = (name: LimitName, client: string): Bucket => {
    const key = `${name}\u0000${client}`;
    const limit = limits[name];
    const now = Date.now();
    const found = buckets.get(key) ?? { tokens: limit.burst, at: now };
    found.tokens = Math.min(limit.burst, found.tokens + ((now - found.at) / 1000) * limit.perSecond);
    found.at = now;
    buckets.set(key, found);
    return found;
  };

  return {
    clientOf: clientIp,
    take: (name, client) => {
      if (client === null) return null;
      const found = bucket(name, client);
      if (found.tokens < 1) return authError(429, 'over_request_rate_limit', 'Request rate limit reached');
      found.tokens -= 1;
      return null;
    },
    checkEmail: (client) => {
      if (client === null || bucket('email', client).tokens >= 1) return null;
      return authError(429, 'over_email_send_rate_limit', 'Email rate limit exceeded');
    },
    countEmail: (client) => {
      if (client !== null) bucket('email', client).tokens -= 1;
    },
  };
}
