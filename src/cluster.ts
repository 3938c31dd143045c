// WORKERS=N: N server processes sharing one port (node:cluster). The primary prepares the
// database once (migrations, first admin), forks the workers, restarts one that dies, and on
// SIGTERM/SIGINT lets each worker finish its requests in flight before exiting 0. With metrics
// on, the primary aggregates the workers' metrics and serves METRICS_PORT (metrics/cluster.ts).
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import { connect } from './db/connection.js';
import type { LogLine } from './http/log.js';
import { primaryMetrics } from './metrics/cluster.js';
import { closeServer, listenMetrics } from './metrics/endpoint.js';
import { metricsEnabled } from './metrics/service.js';
import { prepareDatabase } from './server.js';

export const isClusterWorker = () => cluster.isWorker;

export async function runPrimary(config: Config, print: LogLine, listening: (url: string) => void): Promise<void> {
  const db = connect(config.databaseUrl);
  try {
    await prepareDatabase(db, config, print);
  } finally {
    await db.destroy();
  }

  const metrics = metricsEnabled(config) ? primaryMetrics() : undefined;
  const metricsServer = metrics && config.metricsPort !== undefined ? await listenMetrics(config.host, config.metricsPort, config.metricsToken, metrics) : undefined;

  let stopping = false;
  const workers = new Set<Worker>();
  const fork = (onListening: (url: string) => void = () => {}) => {
    const worker = cluster.fork();
    let listened = false;
    workers.add(worker);
    // The first string a worker sends is its URL (other messages are metrics requests and answers).
    const onMessage = (message: unknown) => {
      if (typeof message !== 'string') return;
      worker.off('message', onMessage);
      listened = true;
      onListening(message);
    };
    worker.on('message', onMessage);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) {
        if (workers.size === 0) process.exit(process.exitCode ?? 0);
      } else if (!listened) {
        // It could not even start (port taken, database unreachable): restarting would loop.
        print(`worker ${worker.process.pid} failed to start (${signal ?? code}); stopping`);
        stopping = true;
        for (const other of workers) other.process.kill('SIGTERM');
        process.exitCode = 1;
        if (workers.size === 0) process.exit(1);
      } else {
        print(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
        fork();
      }
    });
  };

  const started = Array.from({ length: config.workers }, () => new Promise<string>((resolve) => fork(resolve)));
  const [url] = await Promise.all(started);

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`${signal} received: workers finish requests in flight`);
    for (const worker of workers) worker.process.kill('SIGTERM');
    if (metricsServer) void closeServer(metricsServer);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Announced only once the signals are handled: a supervisor may stop the service at once.
  listening(`${url} with ${config.workers} workers`);
}

/** A worker tells the primary it listens, with its URL. */
export function reportListening(url: string): void {
  process.send?.(url);
}
