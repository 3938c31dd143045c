// The query string of a list request → a checked ListQuery, or every problem at once.
// Pure: the HTTP layer turns problems into a 400.
import { parseTimestamp } from '../time.js';

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 500;
export const SORTABLE = ['id', 'last_name', 'first_name', 'created_at', 'updated_at'] as const;
export type SortField = (typeof SORTABLE)[number];

export interface ListQuery {
  page: number;
  perPage: number;
  sort: { field: SortField; direction: 'asc' | 'desc' }[];
  pagination: boolean;
  filters: {
    firmIds?: number[];
    contactTypes?: string[];
    remoteId?: string;
    updatedSince?: Date;
    q?: string;
  };
}

type Params = Record<string, string | string[] | undefined>;

const DECIMAL = /^[0-9]{1,9}$/;

export function parseListQuery(params: Params, contactTypes: ReadonlySet<string>): { query?: ListQuery; problems: string[] } {
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
    filters: {},
  };

  const pagination = single('pagination');
  if (pagination === 'false') query.pagination = false;
  else if (pagination !== undefined && pagination !== 'true' && pagination !== '') problems.push('Parameter pagination must be true or false.');

  const sort = single('sort');
  for (const part of sort ? sort.split(',') : []) {
    const [field, direction = 'asc', extra] = part.trim().split(':');
    if (!(SORTABLE as readonly string[]).includes(field) || !['asc', 'desc'].includes(direction.toLowerCase()) || extra !== undefined) {
      problems.push(`Parameter sort: "${part}" is not one of ${SORTABLE.join(', ')}, optionally followed by :asc or :desc.`);
      continue;
    }
    query.sort.push({ field: field as SortField, direction: direction.toLowerCase() as 'asc' | 'desc' });
  }
  // Ties are always broken by id, so that paging is stable.
  if (!query.sort.some((s) => s.field === 'id')) query.sort.push({ field: 'id', direction: 'asc' });

  const firmIds = single('firm_id');
  if (firmIds) {
    const ids = firmIds.split(',').map((s) => s.trim());
    if (ids.some((id) => !/^[0-9]{1,15}$/.test(id) || Number(id) === 0)) problems.push('Parameter firm_id must be a comma-separated list of positive integers.');
    else query.filters.firmIds = ids.map(Number);
  }
  const types = single('contact_type');
  if (types) {
    const list = types.split(',').map((s) => s.trim());
    const unknown = list.filter((t) => !contactTypes.has(t));
    if (unknown.length > 0) problems.push(`Parameter contact_type: ${unknown.join(', ')} is not a contact type.`);
    else query.filters.contactTypes = list;
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
