import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type postgres from 'postgres';

/**
 * The CPU time of one Postgres server (the postmaster and every backend it forked), read from
 * /proc, so that the bench can show a request's whole cost on this machine: the stack's, the
 * client's and the database's. Linux only; elsewhere it reports nothing.
 */
export interface PostgresCpu {
  /** CPU milliseconds used by the server's processes so far. */
  usedMs(): number;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The parent (field 4) of a process, its own utime + stime (fields 14 and 15), and the cutime +
 * cstime (16 and 17) of the children it has reaped; null once it is gone.
 */
function stat(pid: string): { ppid: string; ticks: number; reapedTicks: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may hold spaces and parentheses: the fields start after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: fields[1],
      ticks: Number(fields[11]) + Number(fields[12]),
      reapedTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return null;
  }
}

function isPostgres(pid: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres');
  } catch {
    return false;
  }
}

/** The server behind `sql` (a connection on the same machine), found from one of its backends. */
export async function postgresCpu(sql: postgres.Sql): Promise<PostgresCpu | null> {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  // A server elsewhere has backends whose ids mean nothing here: the process must be a Postgres.
  if (!isPostgres(String(pid))) return null;
  const postmaster = stat(String(pid))?.ppid;
  if (!postmaster) return null;
  return {
    usedMs: () => {
      // A backend that ended (a closed connection, an autovacuum worker) leaves the live sum, but
      // its time moves into the postmaster's reaped children's: counted, the total never drops.
      const server = stat(postmaster);
      let ticks = server ? server.ticks + server.reapedTicks : 0;
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const process = stat(entry);
        if (process?.ppid === postmaster) ticks += process.ticks;
      }
      return (ticks * 1000) / clockTicks;
    },
  };
}
