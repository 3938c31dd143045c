// The ceiling: a bare node:http server answering each recorded "METHOD path" with the very same
// status, headers and body the service gave. It reads request bodies, does nothing else.
//   node --import tsx bench/ceiling.ts RECORDING.json   (prints "ceiling on http://…")
import { createServer } from 'node:http';
import { loadRecording } from './support.js';

const answers = new Map(
  Object.entries(loadRecording(process.argv[2])).map(([key, r]) => [key, { status: r.status, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) }, body: Buffer.from(r.body) }]),
);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = answers.get(`${req.method} ${req.url}`);
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`ceiling on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
