// Reads shared by the requests of one turn (src/db/per-turn.ts): one read for all who asked in
// a turn, each distinct key once, sent after the turn (so it counts what changed after they
// asked), and a new read for the next turn.
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

  it('reads again in the next turn', async () => {
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
