// The import's parsing thread: record texts in, contact inputs (or the syntax error) out.
import { parentPort } from 'node:worker_threads';
import { readContact } from '../xml/contact-reader.js';
import { parseDocument, XmlSyntaxError } from '../xml/document.js';
import type { Parsed, ParseRequest } from './parse-records.js';

function parse(text: string): Parsed {
  try {
    return { input: readContact(parseDocument(text, 'contact')) };
  } catch (error) {
    if (error instanceof XmlSyntaxError) return { syntaxError: { message: error.message, location: error.location } };
    throw error; // the pool sees the worker fail, and the import with it
  }
}

parentPort?.on('message', ({ id, texts }: ParseRequest) => {
  parentPort?.postMessage({ id, results: texts.map(parse) });
});
