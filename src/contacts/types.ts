// Types every resource shares: the lookup tables (read once at start-up) and a value as read
// from a request. A record's own shape is described by its spec (src/resources/*-spec.ts).

/** A value as read from a request: text, or null for empty / nil. */
export type RawValue = string | null;

export interface Lookups {
  civilityLabels: Map<number, string>;
  contactTypes: Map<string, string>;
  addressTypes: Map<number, string>;
  itemTypes: Map<number, { label: string; kind: ItemKind }>;
}

export type ItemKind = 'phone' | 'fax' | 'email' | 'cell' | 'messenger';
