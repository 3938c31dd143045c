// The service's log lines, written together once per turn of the event loop. On Linux
// process.stdout writes synchronously to a pipe or a file: one system call per request line
// cost the service about a third of its throughput under load (GET one on SQLite, two workers:
// 14,000 requests/s with request lines, 20,000 without). Lines still leave in the turn they
// were logged in, in order; `flush` writes what is pending at once (on exit).
import type { LogLine } from './log.js';

export interface BatchedLines {
  line: LogLine;
  flush(): void;
}

export function batchedLines(write: (text: string) => void): BatchedLines {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    line: (line) => {
      pending.push(line + '\n');
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
