// fast-xml-parser options shared by every reader. Values stay strings (`00100` must not become
// 100) and entities are decoded by ./entities.ts, which knows XML's rules (the parser's own
// decoding skips character references and lets undefined entities through).
import type { X2jOptions } from 'fast-xml-parser';

export const PARSER_OPTIONS: Partial<X2jOptions> = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // Elements nested more than 100 levels under the root are malformed (400; README decision).
  // The library's default, pinned so that an upgrade cannot change it.
  maxNestedTags: 100,
};
