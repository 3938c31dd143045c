// The databases every integration spec runs on: SQLite always, MariaDB/MySQL whenever
// TEST_MYSQL_URL is set (CI always sets it). Specs loop over them:
//   forEachEngine((engine) => { ... })
// TEST_ENGINES (a comma-separated list: `sqlite`, `mysql`) keeps only the engines named, e.g.
// TEST_ENGINES=mysql with TEST_MYSQL_URL pointing at HAProxy runs the MySQL half of the suite
// against a Galera cluster (.ci/run's cluster step).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Engine {
  name: 'sqlite' | 'mysql';
  /** A database URL for a test database of this engine. */
  url(): string;
}

/** SQLite, whatever TEST_ENGINES says: for specs that break their own database on purpose. */
export const sqlite: Engine = {
  name: 'sqlite',
  url: () => `sqlite://${join(mkdtempSync(join(tmpdir(), 'contacts-test-')), 'test.sqlite3')}`,
};

export function engines(): Engine[] {
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  const all: Engine[] = mysqlUrl ? [sqlite, { name: 'mysql', url: () => mysqlUrl }] : [sqlite];
  const only = process.env.TEST_ENGINES?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!only?.length) return all;
  const unknown = only.filter((name) => name !== 'sqlite' && name !== 'mysql');
  if (unknown.length) throw new Error(`TEST_ENGINES: unknown engine(s) ${unknown.join(', ')} (sqlite, mysql)`);
  if (only.includes('mysql') && !mysqlUrl) throw new Error('TEST_ENGINES names mysql but TEST_MYSQL_URL is not set');
  return all.filter((engine) => only.includes(engine.name));
}

export function forEachEngine(define: (engine: Engine) => void): void {
  for (const engine of engines()) {
    describe(`on ${engine.name}`, () => define(engine));
  }
}

/**
 * Creates (again) the MySQL database `name` on the server of `url`, and resolves with its URL
 * once a new connection can use it. On a Galera cluster behind HAProxy the CREATE is applied
 * by the other nodes a moment later, and a connection's handshake naming the database does not
 * wait for them (wsrep_sync_wait covers queries, not the handshake): several connections in a
 * row (HAProxy's round robin spreads them over the nodes) must succeed first.
 */
export async function createScratchDatabase(url: string, name: string): Promise<string> {
  const { connect } = await import('../../src/db/connection.js');
  const admin = connect(url, () => {});
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const scratchUrl = url.replace(/\/[^/]+$/, `/${name}`);
  const mysql = await import('mysql2/promise');
  for (let ok = 0, tries = 0; ok < 6; tries++) {
    const connection = await mysql.createConnection(scratchUrl).catch((error: { code?: string }) => {
      if (error.code !== 'ER_BAD_DB_ERROR' || tries > 200) throw error;
      return undefined;
    });
    if (connection) {
      await connection.end();
      ok++;
    } else {
      ok = 0;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return scratchUrl;
}
