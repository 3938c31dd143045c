// A record's entity tag: a digest of its whole representation (every value of the record and
// its children, computed ones included, so a firm's rename changes its contacts' tags), so it
// changes exactly when something shown changes, and is the same for XML and JSON.
import { createHash } from 'node:crypto';
import { recordObject } from '../json/record-json.js';
import type { ResourceSpec, Row } from './spec.js';

export function etagOf(spec: ResourceSpec, record: Row): string {
  return etagOfJson(JSON.stringify(recordObject(spec, record)));
}

/** The tag of a record's JSON object as already encoded. */
export function etagOfJson(json: string | Buffer): string {
  return `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/** If-Match: `*` or a list of strong tags; true when the current tag is acceptable. */
export function ifMatchAccepts(header: string, current: string): boolean {
  const tags = header.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.includes(current);
}

/** If-None-Match uses the weak comparison: W/"x" matches "x". */
export function ifNoneMatchMatches(header: string, current: string): boolean {
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(current);
}
