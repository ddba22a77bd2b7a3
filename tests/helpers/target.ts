import { inject } from 'vitest';

/** The stack the suites run against; tests never know whether it is local or hosted. */
export interface TargetStack {
  url: string;
  dbUrl: string;
  /** The publishable (anon) key. */
  anonKey: string;
  /** The secret (service_role) key. */
  serviceKey: string;
}

export const target: TargetStack = inject('target');
