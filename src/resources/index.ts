// The resources of the API, by their plural name (a path segment, an import file's root).
import { CONTACT } from './contact-spec.js';
import { FIRM } from './firm-spec.js';
import type { ResourceSpec } from './spec.js';

export const RESOURCES: Readonly<Record<string, ResourceSpec>> = { contacts: CONTACT, firms: FIRM };

export { CONTACT, FIRM };
