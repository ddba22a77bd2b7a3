/** The stack's console: one line per event, prefixed with the part of the stack that speaks. */
export interface Log {
  info(line: string): void;
  error(line: string, error?: unknown): void;
}

/** `quiet` silences info lines (the test stack); errors are always printed. */
export function createLog(part: string, { quiet = false } = {}): Log {
  return {
    info: (line) => {
      if (!quiet) console.log(`[${part}] ${line}`);
    },
    error: (line, error) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : error;
      console.error(`[${part}] ${line}${detail === undefined ? '' : `\n${String(detail)}`}`);
    },
  };
}
