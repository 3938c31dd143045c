// What an update changes, for any resource: its own stored fields, and per collection the
// children to insert, update and delete. An empty change set means no write at all (so a
// client that PUTs back what it read leaves updated_at, the version and the ETag as they were).
import { storedNames, type ResourceSpec, type Row } from './spec.js';
import type { ChildValues, Values } from './validate.js';

export interface ChildChanges {
  insert: ChildValues[];
  update: (ChildValues & { id: number })[];
  remove: number[];
}

export interface RecordChanges {
  /** field → [old, new] of the record's own stored fields that change. */
  fields: Record<string, [unknown, unknown]>;
  collections: Record<string, ChildChanges>;
}

function childChanges(stored: Row[], next: ChildValues[], fields: string[]): ChildChanges {
  const byId = new Map(stored.map((s) => [s.id, s]));
  const kept = new Set<number>();
  const changes: ChildChanges = { insert: [], update: [], remove: [] };
  for (const child of next) {
    if (child.id === undefined) {
      changes.insert.push(child);
      continue;
    }
    kept.add(child.id);
    const before = byId.get(child.id) as Row;
    if (fields.some((f) => before[f] !== child[f])) changes.update.push(child as ChildValues & { id: number });
  }
  changes.remove = stored.filter((s) => !kept.has(s.id)).map((s) => s.id);
  return changes;
}

export function recordChanges(spec: ResourceSpec, stored: Row, next: Values): RecordChanges {
  const fields: RecordChanges['fields'] = {};
  for (const f of storedNames(spec.fields)) if (stored[f] !== next[f]) fields[f] = [stored[f], next[f]];
  const collections: RecordChanges['collections'] = {};
  for (const c of spec.collections) collections[c.name] = childChanges(stored[c.name] as Row[], next[c.name] as ChildValues[], storedNames(c.fields));
  return { fields, collections };
}

export const collectionChanged = (c: ChildChanges) => c.insert.length > 0 || c.update.length > 0 || c.remove.length > 0;

export function isUnchanged(c: RecordChanges): boolean {
  return Object.keys(c.fields).length === 0 && !Object.values(c.collections).some(collectionChanged);
}
