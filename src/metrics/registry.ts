// The one place the service's Prometheus metrics are registered (prom-client). Modules create
// theirs with counter(), gauge() and histogram() below: every metric lands in `registry`, is
// named `contacts_…` by convention, and creating one twice (several services in one test
// process, a module loaded twice) returns the first instead of throwing. A gauge that reads a
// value when scraped gets a `collect` function; with WORKERS=N the primary adds up the
// workers' values (`aggregator: 'sum'`, the default) or takes the largest (`'max'`, e.g. an
// age or a newest id).
import client, { type Aggregator, type Counter, type Gauge, type Histogram } from 'prom-client';

export const registry = new client.Registry();

/** Seconds, from 0.5 ms (a cached GET) to 10 s (past the MySQL query deadline). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function existing<M>(name: string): M | undefined {
  return registry.getSingleMetric(name) as M | undefined;
}

/** `collect`: called on each scrape, to bring the counter up to date (`this` is the counter). */
export function counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: (this: Counter<L>) => void | Promise<void>): Counter<L> {
  return existing<Counter<L>>(name) ?? new client.Counter<L>({ name, help, labelNames, collect, registers: [registry] });
}

export interface GaugeOptions<L extends string> {
  labelNames?: readonly L[];
  /** Called on each scrape: set the gauge's values here (`this` is the gauge). */
  collect?: (this: Gauge<L>) => void | Promise<void>;
  aggregator?: Aggregator;
}

export function gauge<L extends string = never>(name: string, help: string, options: GaugeOptions<L> = {}): Gauge<L> {
  return (
    existing<Gauge<L>>(name) ??
    new client.Gauge<L>({ name, help, labelNames: options.labelNames ?? [], collect: options.collect, aggregator: options.aggregator ?? 'sum', registers: [registry] })
  );
}

export function histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
  return existing<Histogram<L>>(name) ?? new client.Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
}

let defaultsOn = false;

/** Node's process metrics (CPU, memory, event loop lag, GC, handles), once per process. */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  client.collectDefaultMetrics({ register: registry });
}

export const METRICS_CONTENT_TYPE = registry.contentType;
