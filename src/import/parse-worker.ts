// The import's parsing thread: record texts in, record inputs (or the syntax error) out. A
// thrown error makes the thread fail, and the import with it.
import { parentPort } from 'node:worker_threads';
import { parseRecordText, type ParseRequest } from './parse-records.js';

parentPort?.on('message', ({ id, root, texts }: ParseRequest) => {
  parentPort?.postMessage({ id, results: texts.map((text) => parseRecordText(root, text)) });
});
