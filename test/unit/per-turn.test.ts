// Reads shared by the requests of a turn and the next (src/db/per-turn.ts): one read for all who
// asked, each distinct key once, sent after the next turn's I/O (so it counts what changed after
// they asked), and a new read once it is sent.
import { expect } from 'chai';
import { eachOf, perTurn } from '../../src/db/per-turn.js';

describe('reads shared per turn', () => {
  const source = new Map<string, number>();
  let reads: string[][] = [];
  const load = perTurn<string, number>(String, async (keys) => {
    reads.push([...keys]);
    return new Map(keys.filter((k) => source.has(k)).map((k) => [k, source.get(k) as number]));
  });
  beforeEach(() => {
    reads = [];
    source.clear();
  });

  it('reads the keys asked for in one turn once, together, each key once', async () => {
    source.set('a', 1).set('b', 2);
    const answers = await Promise.all([load('a'), load('b'), load('a'), load('missing')]);
    expect(answers).to.deep.equal([1, 2, 1, undefined]);
    expect(reads).to.deep.equal([['a', 'b', 'missing']]);
  });

  it('reads after the turn: a value changed after the key was asked, in the same turn, is the one answered', async () => {
    source.set('a', 1);
    const asked = load('a');
    source.set('a', 2);
    expect(await asked).to.equal(2);
  });

  it('lets a key asked in the next turn, after its I/O, join the same read', async () => {
    source.set('a', 1).set('b', 2);
    const first = load('a');
    // Asked after this turn's check phase has begun, where a read of this turn alone would be
    // sent: as a request read in the next turn's poll phase is.
    const next = await new Promise<Promise<number | undefined>>((resolve) => setImmediate(() => resolve(load('b'))));
    expect(await Promise.all([first, next])).to.deep.equal([1, 2]);
    expect(reads).to.deep.equal([['a', 'b']]);
  });

  it('reads again once the read is sent', async () => {
    source.set('a', 1);
    expect(await load('a')).to.equal(1);
    source.set('a', 2);
    expect(await load('a')).to.equal(2);
    expect(reads).to.deep.equal([['a'], ['a']]);
  });

  it('gives a failed read to everyone who asked in the turn, and reads anew after', async () => {
    const failing = perTurn<string, number>(String, async () => {
      throw new Error('database gone');
    });
    const results = await Promise.allSettled([failing('a'), failing('b')]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    source.set('a', 3);
    expect(await load('a')).to.equal(3);
  });

  it('eachOf reads keys one by one, together, leaving out those without a value', async () => {
    const asked: string[] = [];
    const all = eachOf<string, number>(String, async (k) => {
      asked.push(k);
      return k === 'none' ? undefined : k.length;
    });
    const found = await all(['ab', 'none', 'abc']);
    expect([...found]).to.deep.equal([
      ['ab', 2],
      ['abc', 3],
    ]);
    expect(asked).to.deep.equal(['ab', 'none', 'abc']);
  });
});
