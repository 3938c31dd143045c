// The feed's documents: <events type="array"> in XML, {"events": […]} in JSON. Changed values
// are written as they are; a changed collection (an array) is written as its JSON text in XML.
import { toIso, toLegacy } from '../time.js';
import { element, replaceNonXml, XML_DECLARATION } from '../xml/escape.js';
import type { FeedEvent } from './feed.js';

function xmlValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return replaceNonXml(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return String(value);
  return replaceNonXml(JSON.stringify(value));
}

function eventXml(e: FeedEvent): string {
  const i = '    ';
  let out =
    '  <event>\n' +
    element(i, 'id', e.id) +
    element(i, 'object_zname', e.zname) +
    element(i, 'object_zid', e.zid) +
    element(i, 'object_action', e.action) +
    element(i, 'user_id', e.userId) +
    element(i, 'created_at', toLegacy(e.createdAt));
  const changes = Object.entries(e.changes);
  if (changes.length === 0) out += `${i}<object_changes/>\n`;
  else {
    out += `${i}<object_changes>\n`;
    for (const [field, [before, after]] of changes) {
      out += `${i}  <change>\n` + element(`${i}    `, 'field', field) + element(`${i}    `, 'old', xmlValue(before)) + element(`${i}    `, 'new', xmlValue(after)) + `${i}  </change>\n`;
    }
    out += `${i}</object_changes>\n`;
  }
  return out + '  </event>\n';
}

export function eventsDocument(events: FeedEvent[]): string {
  return `${XML_DECLARATION}<events type="array">\n${events.map(eventXml).join('')}</events>\n`;
}

export function eventsJson(events: FeedEvent[]): string {
  return JSON.stringify({
    events: events.map((e) => ({
      id: e.id,
      object_zname: e.zname,
      object_zid: e.zid,
      object_action: e.action,
      user_id: e.userId,
      created_at: toIso(e.createdAt),
      object_changes: e.changes,
    })),
  });
}
