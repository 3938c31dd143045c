// The import benchmark: generates a file, then measures in the same run, each in its own
// process: parsing it alone, plain multi-row inserts of the same rows, and the importer, on
// SQLite and (when BENCH_MYSQL_URL or TEST_MYSQL_URL is set) MariaDB/MySQL. Reports contacts
// per second, peak RSS and the ratios the issue sets as aims.
//   npm run bench:import -- [--contacts 100000]
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeImportFile } from '../fixtures/generate.js';
import { freshMysql } from './support.js';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '100000' } } });
const count = Number(values.contacts);
const dir = mkdtempSync(join(tmpdir(), 'contacts-bench-'));
const file = join(dir, `${count}.xml`);

interface Result {
  phase: string;
  contacts: number;
  seconds: number;
  peakRssMb: number;
}

function run(phase: string, url?: string): Result {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/import-phase.ts', phase, file, ...(url ? [url] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

async function main(): Promise<void> {
  const stream = createWriteStream(file);
  await writeImportFile(stream, { contacts: count, seed: 1 });
  await new Promise((resolve) => stream.end(resolve));
  console.log(`file: ${count} contacts, ${(statSync(file).size / 1e6).toFixed(0)} MB`);

  const rows: string[][] = [];
  const row = (engine: string, r: Result, note = '') => rows.push([engine, r.phase, r.seconds.toFixed(1), Math.round(r.contacts / r.seconds).toLocaleString('en'), String(r.peakRssMb), note]);

  const parse = run('parse');
  row('-', parse, 'baseline');
  const sqlitePlain = run('plain', `sqlite://${join(dir, 'plain.sqlite3')}`);
  row('sqlite', sqlitePlain, 'baseline');
  const sqliteImport = run('import', `sqlite://${join(dir, 'import.sqlite3')}`);
  row('sqlite', sqliteImport, `${(sqliteImport.seconds / parse.seconds).toFixed(2)}× parse time (aim ≤ 1.5)`);

  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? process.env.TEST_MYSQL_URL;
  if (mysqlUrl) {
    const mysqlPlain = run('plain', await freshMysql(mysqlUrl, 'contacts_test_bench_plain'));
    row('mysql', mysqlPlain, 'baseline');
    const mysqlImport = run('import', await freshMysql(mysqlUrl, 'contacts_test_bench_import'));
    const rate = (r: Result) => r.contacts / r.seconds;
    row('mysql', mysqlImport, `${((100 * rate(mysqlImport)) / rate(mysqlPlain)).toFixed(0)}% of plain-insert rate (aim ≥ 80%)`);
  }

  const header = ['engine', 'phase', 'seconds', 'contacts/s', 'peak RSS MB', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  execFileSync('rm', ['-rf', dir]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
