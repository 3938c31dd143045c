// Metrics with WORKERS=N: the primary holds prom-client's AggregatorRegistry, which asks every
// worker for its metrics over the cluster's IPC channel and adds them up (counters and
// histograms summed, each gauge by its aggregator). METRICS_PORT is served by the primary; a
// worker asked for /metrics on the API port (METRICS_TOKEN) asks the primary for the same
// aggregate, so every scrape sees the whole service whichever worker takes it.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from './endpoint.js';
import { registry } from './registry.js';

const ASK = 'contacts:metrics-request';
const ANSWER = 'contacts:metrics-answer';
/** prom-client gives up on a worker after 5 s; the worker waits a little longer for the primary. */
const ANSWER_TIMEOUT_MS = 6_000;

interface Ask {
  type: typeof ASK;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: the aggregate, also answered to workers that ask for it. */
export function primaryMetrics(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  const source = () => aggregator.clusterMetrics();
  cluster.on('message', (worker: Worker, message: Ask) => {
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    source().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.name }),
    );
  });
  return source;
}

/** In a worker: answer the primary's aggregator with this process's registry. */
export function joinClusterMetrics(): void {
  new AggregatorRegistry(); // installs prom-client's listener for the primary's requests
  AggregatorRegistry.setRegistries([registry]);
}

let asked = 0;

/** In a worker: the aggregate, from the primary. */
export const askPrimary: MetricsSource = () =>
  new Promise((resolve, reject) => {
    const id = ++asked;
    const onMessage = (message: Answer) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      done();
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(`the primary could not collect the metrics (${message.error})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('the primary did not answer'));
    }, ANSWER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send?.({ type: ASK, id } satisfies Ask);
  });
