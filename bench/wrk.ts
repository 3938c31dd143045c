// Load with wrk (Debian package `wrk`): a C load generator with one event loop per thread, so
// unlike autocannon in the benchmark's own process it is not what saturates first. Each run
// writes a Lua script holding the requests (pre-formatted once per thread) and reads back the
// figures its done() prints as one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH, type BenchRequest, type LoadResult } from './support.js';

export interface WrkOptions {
  threads: number;
  connections: number;
  seconds: number;
}

/** Fails at once, with the fix, when wrk is not installed. */
export function requireWrk(): void {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error('wrk is not installed: the HTTP benchmark loads the service with it. Install it with `apt-get install wrk` (Debian/Ubuntu package "wrk").');
  }
}

/** A Lua string literal for any bytes: every byte outside printable ASCII as a three-digit decimal escape
 * (three digits, so that a digit after it is not read as part of it). */
function lua(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return out + '"';
}

const scriptDir = mkdtempSync(join(tmpdir(), 'contacts-bench-wrk-'));
let scripts = 0;

/**
 * The script: requests taken in turn (each thread starts at its own offset), and done() printing
 * the totals. Non-2xx/3xx answers and socket errors are counted as errors.
 */
function script(requests: BenchRequest[]): string {
  const table = requests
    .map((r) => {
      const headers = r.body === undefined ? `{ Authorization = ${lua(AUTH)} }` : `{ Authorization = ${lua(AUTH)}, ["Content-Type"] = "application/xml" }`;
      return `  { ${lua(r.method)}, ${lua(r.path)}, ${headers}, ${r.body === undefined ? 'nil' : lua(r.body)} },`;
    })
    .join('\n');
  const file = join(scriptDir, `load-${++scripts}.lua`);
  writeFileSync(
    file,
    `local requests = {
${table}
}
local threads = 0
local formatted = {}
local next_index = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  for i, r in ipairs(requests) do formatted[i] = wrk.format(r[1], r[2], r[3], r[4]) end
  next_index = (thread_number or 0) * 7919
end

function request()
  next_index = next_index + 1
  return formatted[(next_index % #formatted) + 1]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format('WRK-RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`,
  );
  return file;
}

interface WrkResult {
  requests: number;
  duration_us: number;
  status_errors: number;
  socket_errors: number;
  p50_us: number;
  p99_us: number;
}

/** Loads `base` with `requests` taken in turn, as fast as it answers. */
export function wrkLoad(base: string, requests: BenchRequest[], options: WrkOptions): Promise<LoadResult> {
  const file = script(requests);
  const args = ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', '5s', '-s', file, base];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /WRK-RESULT (\{.*\})/.exec(out);
      if (code !== 0 || !line) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code}: ${out.slice(-2000)}`));
        return;
      }
      const r = JSON.parse(line[1]) as WrkResult;
      resolve({
        rps: r.requests / (r.duration_us / 1e6),
        p50: Math.round(r.p50_us / 100) / 10,
        p99: Math.round(r.p99_us / 100) / 10,
        requests: r.requests,
        errors: r.status_errors + r.socket_errors,
      });
    });
  });
}
