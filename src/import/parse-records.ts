// Parsing import records off the main thread: while the importer validates and writes one
// batch, a worker thread parses the next ones (parsing is most of an import's CPU time). Order
// is kept, and at most IN_FLIGHT batches wait, so memory stays bounded. Small files (one
// batch or less) are parsed inline: a thread is not worth starting for them.
import { Worker } from 'node:worker_threads';
import type { Input } from '../resources/draft.js';
import { RESOURCES } from '../resources/index.js';
import { parseDocument, XmlSyntaxError } from '../xml/document.js';
import { readRecord } from '../xml/record-reader.js';
import type { RawRecord } from './split-records.js';

export const PARSE_BATCH = 200;
const IN_FLIGHT = 3;

export interface SyntaxProblem {
  message: string;
  location?: { line: number; col: number; reason: string };
}

export type Parsed = { input: Input; syntaxError?: undefined } | { input?: undefined; syntaxError: SyntaxProblem };
export type ParsedRecord = Parsed & { root: string; position: number; line: number };

export interface ParseRequest {
  id: number;
  /** The file's root (`contacts`, `firms`): which resource the records are. */
  root: string;
  texts: string[];
}

/** One record's text → its input, or the syntax problem (any other error is thrown). The parsing thread's job. */
export function parseRecordText(root: string, text: string): Parsed {
  const spec = RESOURCES[root];
  try {
    return { input: readRecord(spec, parseDocument(text, spec.name)) };
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    return { syntaxError: { message: error.message, location: error.location } };
  }
}

/**
 * Built, the worker is the .js next to this file. Run from source (tests and benchmarks, under
 * tsx) it is the .ts, and the thread registers tsx itself: Node 20 does not carry the main
 * thread's loader hooks over to worker threads.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url));
  const source = new URL('./parse-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, { eval: true });
}

class ParseThread {
  private readonly worker = startWorker();
  private readonly waiting = new Map<number, { resolve: (results: Parsed[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.on('message', ({ id, results }: { id: number; results: Parsed[] }) => {
      this.waiting.get(id)?.resolve(results);
      this.waiting.delete(id);
    });
    const failAll = (error: Error) => {
      for (const { reject } of this.waiting.values()) reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', () => failAll(new Error('the import parsing thread stopped')));
  }

  parse(root: string, texts: string[]): Promise<Parsed[]> {
    const id = this.nextId++;
    const results = new Promise<Parsed[]>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    results.catch(() => {}); // rejections are seen when the batch is awaited, in order
    this.worker.postMessage({ id, root, texts } satisfies ParseRequest);
    return results;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

export async function* parseRecords(records: AsyncIterable<RawRecord>): AsyncGenerator<ParsedRecord> {
  let thread: ParseThread | undefined;
  const pending: { records: RawRecord[]; results: Promise<Parsed[]> }[] = [];
  async function* drainOne(): AsyncGenerator<ParsedRecord> {
    const batch = pending.shift()!;
    const results = await batch.results;
    for (let i = 0; i < results.length; i++) yield { ...results[i], root: batch.records[i].root, position: batch.records[i].position, line: batch.records[i].line };
  }
  try {
    let batch: RawRecord[] = [];
    for await (const record of records) {
      batch.push(record);
      if (batch.length < PARSE_BATCH) continue;
      thread ??= new ParseThread();
      pending.push({ records: batch, results: thread.parse(batch[0].root, batch.map((r) => r.text)) });
      batch = [];
      if (pending.length >= IN_FLIGHT) yield* drainOne();
    }
    if (!thread) {
      for (const record of batch) yield { ...parseRecordText(record.root, record.text), root: record.root, position: record.position, line: record.line };
      return;
    }
    if (batch.length > 0) pending.push({ records: batch, results: thread.parse(batch[0].root, batch.map((r) => r.text)) });
    while (pending.length > 0) yield* drainOne();
  } finally {
    await thread?.stop();
  }
}
