// The ceiling: a bare node:http server answering each recorded "METHOD path" with the very same
// status, headers and body the service gave. It reads request bodies, does nothing else. With
// WORKERS=N it runs N processes on one port (node:cluster), as the service does, so that both
// are measured with the same processes.
// With CEILING_DATABASE_URL (MySQL/MariaDB) each answer waits for one primary-key SELECT first,
// through a plain mysql2 pool: the least a server can do that asks its database once per request
// (which a service shared by several processes, node and CLI must, to answer what was last
// written anywhere). Its throughput bounds what the service can reach on that database.
//   WORKERS=2 node --import tsx bench/ceiling.ts RECORDING.json   (prints "ceiling on http://…")
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import mysql from 'mysql2';
import { loadRecording } from './support.js';

type Before = (path: string, then: (failed: boolean) => void) => void;

/** What happens before each answer: nothing, or one SELECT of the contact in the path (of contact 1 otherwise). */
function beforeAnswer(databaseUrl: string | undefined): { before: Before; close: () => void } {
  if (!databaseUrl) return { before: (_path, then) => then(false), close: () => {} };
  const u = new URL(databaseUrl);
  const pool = mysql.createPool({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1), connectionLimit: 10 });
  return {
    before: (path, then) => pool.query('SELECT id, version FROM contacts WHERE id = ?', [Number(/\/contacts\/(\d+)/.exec(path)?.[1] ?? 1)], (error) => then(Boolean(error))),
    close: () => pool.end(() => {}),
  };
}

const workers = Math.max(1, Number(process.env.WORKERS ?? 1));

function serve(onListening: (port: number) => void): void {
  const answers = new Map(
    Object.entries(loadRecording(process.argv[2])).map(([key, r]) => [key, { status: r.status, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) }, body: Buffer.from(r.body) }]),
  );
  const { before, close } = beforeAnswer(process.env.CEILING_DATABASE_URL);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = answers.get(`${req.method} ${req.url}`);
      if (!answer) {
        res.writeHead(404).end();
        return;
      }
      before(req.url ?? '', (failed) => (failed ? res.writeHead(500).end() : res.writeHead(answer.status, answer.headers).end(answer.body)));
    });
  });
  server.keepAliveTimeout = 5_000;
  // Workers listening on port 0 share one port the primary chose.
  server.listen(0, '127.0.0.1', () => onListening((server.address() as { port: number }).port));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    close();
    // A cluster worker is kept alive by its channel to the primary.
    if (cluster.isWorker) process.disconnect();
  });
}

if (workers === 1) {
  serve((port) => process.stdout.write(`ceiling on http://127.0.0.1:${port}\n`));
} else if (cluster.isPrimary) {
  const forked = Array.from({ length: workers }, () => cluster.fork());
  const ports = forked.map((worker) => new Promise<number>((resolve) => worker.once('message', resolve)));
  void Promise.all(ports).then(([port]) => process.stdout.write(`ceiling on http://127.0.0.1:${port} with ${workers} workers\n`));
  process.once('SIGTERM', () => {
    for (const worker of forked) worker.process.kill('SIGTERM');
  });
} else {
  serve((port) => process.send?.(port));
}
