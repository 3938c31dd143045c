// The password-check queue: at most `concurrency` checks at once, at most `waiting` more in
// line, a quick 503 with Retry-After past that, and every slot given back whatever the outcome.
import { expect } from 'chai';
import { PasswordQueue } from '../../src/auth/password-queue.js';
import { ServiceUnavailableError } from '../../src/errors.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('PasswordQueue', () => {
  it('runs at most `concurrency` checks at once and the rest in order', async () => {
    const queue = new PasswordQueue(2, 3);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      queue.run(`192.0.2.${i}`, async () => {
        started.push(i);
        await g.opened;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal([0, 1]);
    expect(queue.stats()).to.include({ running: 2, waiting: 3 });
    gates[1].open();
    await runs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal([0, 1, 2]);
    gates.forEach((g) => g.open());
    expect(await Promise.all(runs)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(queue.stats()).to.deep.equal({ running: 0, waiting: 0, checked: 5, rejected: 0 });
  });

  it('refuses at once with a 503 and Retry-After when the line is full', async () => {
    const queue = new PasswordQueue(1, 1);
    const g = gate();
    const running = queue.run('192.0.2.1', () => g.opened);
    const waiting = queue.run('192.0.2.2', async () => 'second');
    const started = performance.now();
    const error = await queue.run('192.0.2.3', async () => 'third').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).to.be.below(50);
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).headers['Retry-After']).to.equal('1');
    g.open();
    await running;
    expect(await waiting).to.equal('second');
    expect(queue.stats()).to.deep.equal({ running: 0, waiting: 0, checked: 2, rejected: 1 });
  });

  it('lets one address hold at most half of the places, so a burst from it leaves room for others', async () => {
    const queue = new PasswordQueue(2, 8);
    const g = gate();
    const burst = Array.from({ length: 8 }, () => queue.run('203.0.113.1', () => g.opened).then(() => 'checked', (e: unknown) => e));
    const other = queue.run('198.51.100.2', async () => 'other');
    g.open();
    const answers = await Promise.all(burst);
    expect(answers.filter((a) => a === 'checked')).to.have.length(5);
    for (const a of answers.filter((a) => a !== 'checked')) expect(a).to.be.instanceOf(ServiceUnavailableError);
    expect(await other).to.equal('other');
    expect(queue.stats()).to.deep.equal({ running: 0, waiting: 0, checked: 6, rejected: 3 });
    // and its places are given back
    expect(await queue.run('203.0.113.1', async () => 'again')).to.equal('again');
  });

  it('gives a freed slot to the first waiting check that is not suspect, asked when the slot frees', async () => {
    const queue = new PasswordQueue(1, 8);
    const g = gate();
    const order: string[] = [];
    const failedLately = new Set<string>();
    const run = (address: string) => queue.run(address, async () => void order.push(address), { suspect: () => failedLately.has(address) });
    const first = queue.run('203.0.113.1', () => g.opened);
    const waiting = [run('203.0.113.1'), run('203.0.113.1'), run('198.51.100.2'), run('203.0.113.1'), run('198.51.100.3')];
    failedLately.add('203.0.113.1'); // its failures land while the others wait
    g.open();
    await Promise.all([first, ...waiting]);
    expect(order).to.deep.equal(['198.51.100.2', '198.51.100.3', '203.0.113.1', '203.0.113.1', '203.0.113.1']);
  });

  it('lets the admission refuse a check when its turn comes, without counting it as run', async () => {
    const queue = new PasswordQueue(1, 1);
    const error = await queue
      .run('192.0.2.1', async () => 'hashed', {
        admit: () => {
          throw new Error('refused');
        },
      })
      .catch((e: Error) => e.message);
    expect(error).to.equal('refused');
    expect(await queue.run('192.0.2.1', async () => 'next')).to.equal('next');
    expect(queue.stats()).to.include({ running: 0, checked: 1 });
  });

  it('gives the slot back when a check throws', async () => {
    const queue = new PasswordQueue(1, 0);
    await queue.run('192.0.2.1', () => Promise.reject(new Error('boom'))).catch(() => {});
    expect(await queue.run('192.0.2.1', async () => 'next')).to.equal('next');
  });
});
