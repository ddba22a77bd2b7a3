import process from 'node:process';

/**
 * What one worker invocation may spend, as the hosted platform limits it: about 2 s of CPU and
 * 150 s (free plan) of wall-clock time. The worker keeps well inside both and leaves the rest of
 * the work to the next invocation. CPU is the process's (`process.cpuUsage`), which locally
 * includes every function running at the time: the worker then stops early, never late. Where
 * the runtime does not report CPU, the wall clock stands in: it is never less than the CPU used.
 */
export class Budget {
  readonly #wallEndsAt: number;
  readonly #cpuStart: number;

  constructor(
    wallMs: number,
    private readonly cpuMs: number,
  ) {
    this.#wallEndsAt = performance.now() + wallMs;
    this.#cpuStart = cpuNow();
  }

  /** Milliseconds left of the tighter of the two budgets. */
  remainingMs(): number {
    const wall = this.#wallEndsAt - performance.now();
    const cpu = this.cpuMs - (cpuNow() - this.#cpuStart);
    return Math.max(0, Math.min(wall, cpu));
  }
}

/** The process's CPU time in milliseconds; wall-clock time where the runtime does not report CPU. */
const cpuNow: () => number = (() => {
  try {
    process.cpuUsage();
    return () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
  } catch {
    return () => performance.now();
  }
})();
