// The timestamp formats of the service, all in UTC: the legacy XML one (dd-mm-YYYY-HH-MM),
// ISO 8601 for JSON, and the database's `YYYY-MM-DD HH:MM:SS` text.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function toLegacy(d: Date): string {
  return `${pad(d.getUTCDate())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}`;
}

export function toIso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toDbText(d: Date): string {
  return toIso(d).replace('T', ' ').replace('Z', '');
}

export function fromDbText(text: string | Date): Date {
  if (text instanceof Date) return text;
  return new Date(text.replace(' ', 'T') + 'Z');
}

/** Now, at the second: what the database keeps. */
export function nowToSecond(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): Date | undefined {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  const same =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  return same ? date : undefined;
}

const LEGACY = /^(\d{2})-(\d{2})-(\d{4})-(\d{2})-(\d{2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Reads the legacy format or ISO 8601 (a missing zone means UTC); undefined when neither. */
export function parseTimestamp(text: string): Date | undefined {
  const legacy = LEGACY.exec(text);
  if (legacy) {
    const [, d, mo, y, h, mi] = legacy.map(Number);
    return utcDate(y, mo, d, h, mi, 0);
  }
  const iso = ISO.exec(text);
  if (!iso) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = iso;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const date = utcDate(+y, +mo, +d, +h, +mi, +s, ms);
  if (!date || !zone || zone === 'Z') return date;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 14 || minutes > 59) return undefined;
  const offsetMinutes = hours * 60 + minutes;
  return new Date(date.getTime() - sign * offsetMinutes * 60_000);
}
