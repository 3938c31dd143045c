// Metrics for one running service (a single process, or one cluster worker): on only when
// they are served somewhere (METRICS_TOKEN or METRICS_PORT), so that a service nobody scrapes
// pays nothing for them.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { askPrimary, joinClusterMetrics } from './cluster.js';
import { measureDatabase } from './database.js';
import './search.js'; // registers the search index gauge
import { closeServer, listenMetrics, type MetricsSource } from './endpoint.js';
import { enableDefaultMetrics, registry } from './registry.js';

export interface MetricsConfig {
  host: string;
  metricsToken?: string;
  metricsPort?: number;
}

export interface ServiceMetrics {
  /** Set: /metrics is served on the API port and needs this bearer token. */
  token?: string;
  source: MetricsSource;
  /** The METRICS_PORT listener, when this process has one. */
  server?: Server;
  close(): Promise<void>;
}

export const metricsEnabled = (config: MetricsConfig) => config.metricsToken !== undefined || config.metricsPort !== undefined;

export async function startMetrics(config: MetricsConfig, db: Knex): Promise<ServiceMetrics | undefined> {
  if (!metricsEnabled(config)) return undefined;
  enableDefaultMetrics();
  const inCluster = cluster.isWorker;
  if (inCluster) joinClusterMetrics();
  const source: MetricsSource = inCluster ? askPrimary : () => registry.metrics();
  // In a cluster the primary serves METRICS_PORT (cluster.ts).
  const server = config.metricsPort !== undefined && !inCluster ? await listenMetrics(config.host, config.metricsPort, config.metricsToken, source) : undefined;
  const stopMeasuring = measureDatabase(db);
  return {
    token: config.metricsToken,
    source,
    server,
    async close() {
      stopMeasuring();
      if (server) await closeServer(server);
    },
  };
}
