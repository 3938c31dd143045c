// The query string of a list request → a checked ListQuery for a resource, or every problem at
// once. Pure: the HTTP layer turns problems into a 400.
import type { Lookups } from '../contacts/types.js';
import { parseTimestamp } from '../time.js';
import type { ResourceSpec } from './spec.js';

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 500;

export interface ListQuery {
  page: number;
  perPage: number;
  sort: { field: string; direction: 'asc' | 'desc' }[];
  pagination: boolean;
  filters: {
    /** column → accepted values (firm_id=1,2; contact_type=client,prospect). */
    anyOf: Record<string, (string | number)[]>;
    remoteId?: string;
    updatedSince?: Date;
    q?: string;
  };
}

type Params = Record<string, string | string[] | undefined>;

const DECIMAL = /^[0-9]{1,9}$/;

export function parseListQuery(spec: ResourceSpec, params: Params, lookups: Lookups): { query?: ListQuery; problems: string[] } {
  const problems: string[] = [];
  const single = (name: string): string | undefined => {
    const v = params[name];
    if (Array.isArray(v)) {
      problems.push(`Parameter ${name} is given more than once.`);
      return undefined;
    }
    return v;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = single(name);
    if (raw === undefined || raw === '') return fallback;
    if (!DECIMAL.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`Parameter ${name} must be an integer from ${min} to ${max}.`);
      return fallback;
    }
    return Number(raw);
  };

  const query: ListQuery = {
    page: integer('page', 1, 1, 1_000_000_000 - 1),
    perPage: integer('per_page', DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    sort: [],
    pagination: true,
    filters: { anyOf: {} },
  };

  const pagination = single('pagination');
  if (pagination === 'false') query.pagination = false;
  else if (pagination !== undefined && pagination !== 'true' && pagination !== '') problems.push('Parameter pagination must be true or false.');

  const sort = single('sort');
  for (const part of sort ? sort.split(',') : []) {
    const [field, direction = 'asc', extra] = part.trim().split(':');
    if (!spec.sortable.includes(field) || !['asc', 'desc'].includes(direction.toLowerCase()) || extra !== undefined) {
      problems.push(`Parameter sort: "${part}" is not one of ${spec.sortable.join(', ')}, optionally followed by :asc or :desc.`);
      continue;
    }
    query.sort.push({ field, direction: direction.toLowerCase() as 'asc' | 'desc' });
  }
  // Ties are always broken by id, so that paging is stable; in the direction of the last sort
  // field, so that one index (business_file_id, field), which ends in the id, serves the sort
  // both ways (a mixed ORDER BY last_name DESC, id ASC would sort the whole business file).
  if (!query.sort.some((s) => s.field === 'id')) query.sort.push({ field: 'id', direction: query.sort.at(-1)?.direction ?? 'asc' });

  for (const filter of spec.filters) {
    const raw = single(filter.param);
    if (!raw) continue;
    const list = raw.split(',').map((s) => s.trim());
    if (filter.type === 'ids') {
      if (list.some((id) => !/^[0-9]{1,15}$/.test(id) || Number(id) === 0)) problems.push(`Parameter ${filter.param} must be a comma-separated list of positive integers.`);
      else query.filters.anyOf[filter.column] = list.map(Number);
    } else {
      const table = lookups[filter.table] as Map<unknown, unknown>;
      const unknown = list.filter((t) => !table.has(t));
      if (unknown.length > 0) problems.push(`Parameter ${filter.param}: ${unknown.join(', ')} is not a ${filter.noun}.`);
      else query.filters.anyOf[filter.column] = list;
    }
  }
  const remoteId = single('remote_id');
  if (remoteId) query.filters.remoteId = remoteId;
  const since = single('updated_since');
  if (since) {
    const date = parseTimestamp(since.trim());
    if (!date) problems.push('Parameter updated_since must be an ISO 8601 timestamp or dd-mm-YYYY-HH-MM.');
    else query.filters.updatedSince = date;
  }
  const q = single('q')?.trim();
  if (q) query.filters.q = q;

  return problems.length > 0 ? { problems } : { query, problems };
}
