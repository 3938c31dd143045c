// SEARCH_INDEXER: on by default, `off` turns this process's search indexer off, anything else
// is refused at start-up.
import { expect } from 'chai';
import { readConfig } from '../../src/config.js';

describe('readConfig: SEARCH_INDEXER', () => {
  it('is on by default and when on, off when off', () => {
    expect(readConfig({}).searchIndexer).to.equal(true);
    expect(readConfig({ SEARCH_INDEXER: 'on' }).searchIndexer).to.equal(true);
    expect(readConfig({ SEARCH_INDEXER: 'off' }).searchIndexer).to.equal(false);
  });

  it('refuses another value', () => {
    expect(() => readConfig({ SEARCH_INDEXER: 'no' })).to.throw('SEARCH_INDEXER must be on or off, got "no"');
  });
});
