// Runs the built `contacts` command (dist/, real ESM) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const CLI = resolve('dist/src/cli/main.js');

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

export interface Served {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `contacts serve` and resolves once it says it is listening. */
export function serve(env: Record<string, string>, cwd: string): Promise<Served> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, 'serve'], { cwd, env: { ...process.env, ...env } });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('listening on')) res({ child, output: () => out, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    exited.then((code) => rej(new Error(`serve exited with ${code}: ${out}`)));
  });
}
