// libxml2's verdict on documents, the reference of the XML conformance tests (issue #14): the
// `xmllint` command of Debian's libxml2-utils (installed by .ci/run), run once over a whole
// batch of files rather than once per document, which keeps a few thousand cases within seconds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Libxml2Verdict {
  wellFormed: boolean;
  /** libxml2's first error, when the document is not well-formed. */
  error?: string;
}

/** Why the conformance tests cannot run here, or undefined when xmllint is there. */
export function xmllintMissing(): string | undefined {
  const run = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  return run.error || run.status !== 0 ? 'xmllint is not installed (Debian package libxml2-utils; .ci/run installs it)' : undefined;
}

const BATCH = 1000;

/**
 * libxml2's verdict on each document: well-formed or not, as `xmllint --noout` decides (its
 * "namespace error"s and warnings do not make a document malformed; any other error does).
 * Nothing is fetched: --nonet, and no DTD is loaded.
 */
export function libxml2Verdicts(documents: Uint8Array[]): Libxml2Verdict[] {
  const verdicts: Libxml2Verdict[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'xml-conformance-'));
  try {
    for (let from = 0; from < documents.length; from += BATCH) {
      const files = documents.slice(from, from + BATCH).map((bytes, i) => {
        const file = `d${from + i}.xml`;
        writeFileSync(join(dir, file), bytes);
        return file;
      });
      const run = spawnSync('xmllint', ['--noout', '--nonet', ...files], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (run.error) throw run.error;
      const errors = new Map<string, string>();
      for (const line of run.stderr.split('\n')) {
        const m = /^(d\d+\.xml):\d+: (\S+) error : (.*)$/.exec(line);
        if (m && m[2] !== 'namespace' && !errors.has(m[1])) errors.set(m[1], m[3]);
      }
      if (run.status !== 0 && errors.size === 0) throw new Error(`xmllint failed without naming a file: ${run.stderr.slice(0, 500)}`);
      for (const file of files) {
        const error = errors.get(file);
        verdicts.push(error === undefined ? { wellFormed: true } : { wellFormed: false, error });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return verdicts;
}
