// Import metrics: contacts done (valid or not) as each batch is decided, invalid contacts, and
// files by outcome (written, dry_run, invalid, failed). Counted by the importer itself, so the
// HTTP endpoint and the command count alike (a command's counts die with its process).
import { counter } from './registry.js';

const contacts = counter('contacts_import_contacts_total', 'Contacts read from imported files (valid or not), as each batch is decided.');
const invalid = counter('contacts_import_invalid_total', 'Imported contacts refused as invalid or malformed.');
const files = counter('contacts_import_files_total', 'Imported files, by outcome: written, dry_run, invalid (nothing written), failed (an error).', ['outcome']);

export type ImportOutcome = 'written' | 'dry_run' | 'invalid' | 'failed';

export const importMetrics = {
  contactsDone(count: number): void {
    contacts.inc(count);
  },
  fileDone(outcome: ImportOutcome, invalidContacts: number): void {
    files.inc({ outcome });
    if (invalidContacts > 0) invalid.inc(invalidContacts);
  },
};
