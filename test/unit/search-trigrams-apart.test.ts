// Which of q's trigrams the MySQL search joins (src/resources/search.ts apart): the rarest
// first, but none that shares a letter of q with one already taken while others are left.
import { expect } from 'chai';
import { apart } from '../../src/resources/search.js';

describe('apart: the trigrams a MySQL search joins', () => {
  const q = 'marcaurele.bjorklund@acme.example';

  it('skips a trigram overlapping one taken, for the next rarest apart from it', () => {
    // rca (2-4) and cau (3-5) share letters; aur (4-6) too; bjo (11-13) does not
    expect(apart(q, ['rca', 'cau', 'aur', 'bjo', 'exa'], 2)).to.deep.equal(['rca', 'bjo']);
    expect(apart(q, ['rca', 'cau', 'aur', 'bjo', 'exa'], 3)).to.deep.equal(['rca', 'bjo', 'exa']);
  });

  it('counts trigrams three letters apart as apart, and fills with the overlapping ones in rank order when too few are apart', () => {
    expect(apart('abcdef', ['abc', 'def'], 2)).to.deep.equal(['abc', 'def']);
    expect(apart('abcdef', ['abc', 'bcd', 'def'], 3)).to.deep.equal(['abc', 'def', 'bcd']);
    expect(apart('abcde', ['abc', 'bcd', 'cde'], 2)).to.deep.equal(['abc', 'bcd']);
    expect(apart('abcd', ['bcd', 'abc'], 4)).to.deep.equal(['bcd', 'abc']);
  });
});
