// The service's log lines are written together once per turn of the event loop, in order, and
// what is pending is written at once by flush (on exit).
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { batchedLines } from '../../src/http/batched-lines.js';

describe('batched log lines', () => {
  it('writes the lines of one turn in one write, in order, and nothing before the turn ends', async () => {
    const writes: string[] = [];
    const out = batchedLines((text) => writes.push(text));
    out.line('GET /1/contacts.xml 200 1.0ms');
    out.line('GET /1/contacts/2.xml 200 0.8ms');
    expect(writes).to.deep.equal([]);
    await nextTurn();
    expect(writes).to.deep.equal(['GET /1/contacts.xml 200 1.0ms\nGET /1/contacts/2.xml 200 0.8ms\n']);
    out.line('PUT /1/contacts/2.xml 200 4.1ms');
    await nextTurn();
    expect(writes).to.have.length(2);
    expect(writes[1]).to.equal('PUT /1/contacts/2.xml 200 4.1ms\n');
  });

  it('flush writes what is pending at once, and the turn then writes nothing more', async () => {
    const writes: string[] = [];
    const out = batchedLines((text) => writes.push(text));
    out.line('SIGTERM received: finishing requests in flight');
    out.flush();
    expect(writes).to.deep.equal(['SIGTERM received: finishing requests in flight\n']);
    await nextTurn();
    expect(writes).to.have.length(1);
    out.flush();
    expect(writes).to.have.length(1);
  });
});
