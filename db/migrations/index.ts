// Every migration, in order. Migrations are immutable once landed: add a new file instead.
import type { Knex } from 'knex';
import * as createLookupTables from './20261122000001_create_lookup_tables.js';
import * as insertLookupValues from './20261122000002_insert_lookup_values.js';
import * as createTenancy from './20261122000003_create_tenancy.js';
import * as createContacts from './20261122000004_create_contacts.js';
import * as createIdempotencyKeys from './20261122000005_create_idempotency_keys.js';
import * as contactsPageIndex from './20261122000006_contacts_page_index_and_wide_versions.js';
import * as firmsAndDocumentFields from './20261206000001_firms_and_document_fields.js';
import * as createEventsAndWebhooks from './20261206000100_create_events_and_webhooks.js';
import * as recordTallies from './20261207000001_record_tallies.js';
import * as searchIndex from './20261207000002_search_index.js';
import * as searchTrigrams from './20261207000003_search_trigrams.js';
import * as contactsFirmTypeIndex from './20261207000004_contacts_firm_type_index.js';

export const migrations: Record<string, Knex.Migration> = {
  '20261122000001_create_lookup_tables': createLookupTables,
  '20261122000002_insert_lookup_values': insertLookupValues,
  '20261122000003_create_tenancy': createTenancy,
  '20261122000004_create_contacts': createContacts,
  '20261122000005_create_idempotency_keys': createIdempotencyKeys,
  '20261122000006_contacts_page_index_and_wide_versions': contactsPageIndex,
  '20261206000001_firms_and_document_fields': firmsAndDocumentFields,
  '20261206000100_create_events_and_webhooks': createEventsAndWebhooks,
  '20261207000001_record_tallies': recordTallies,
  '20261207000002_search_index': searchIndex,
  '20261207000003_search_trigrams': searchTrigrams,
  '20261207000004_contacts_firm_type_index': contactsFirmTypeIndex,
};
