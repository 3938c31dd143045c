// The databases every integration spec runs on: SQLite always, MariaDB/MySQL whenever
// TEST_MYSQL_URL is set (CI always sets it). Specs loop over them:
//   forEachEngine((engine) => { ... })
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Engine {
  name: 'sqlite' | 'mysql';
  /** A database URL for a test database of this engine. */
  url(): string;
}

const sqlite: Engine = {
  name: 'sqlite',
  url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'contacts-test-')), 'test.sqlite3')}`,
};

export function engines(): Engine[] {
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  return mysqlUrl ? [sqlite, { name: 'mysql', url: () => mysqlUrl }] : [sqlite];
}

export function forEachEngine(define: (engine: Engine) => void): void {
  for (const engine of engines()) {
    describe(`on ${engine.name}`, () => define(engine));
  }
}
