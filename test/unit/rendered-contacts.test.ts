import { expect } from 'chai';
import { RenderedContacts } from '../../src/http/rendered-contacts.js';
import type { Contact } from '../../src/contacts/types.js';
import { sectionTwoContact } from '../xml/helpers.js';

/** The contract's section 2 contact, with another id, version or last name. */
function contact(id: number, version: number, lastName = 'Bouvet'): Contact {
  return { ...sectionTwoContact(), id, version, last_name: lastName };
}

describe('RenderedContacts (the per-process cache of encoded contacts)', () => {
  it('answers only for the version it rendered', () => {
    const cache = new RenderedContacts(10);
    const first = cache.of(contact(1, 5));
    expect(cache.get({ id: 1, version: 5 })).to.equal(first);
    expect(cache.get({ id: 1, version: 6 })).to.equal(undefined);
    const next = cache.of(contact(1, 6, 'Roe'));
    expect(next.xmlDocument).to.contain('<last_name>Roe</last_name>');
    expect(cache.get({ id: 1, version: 5 })).to.equal(undefined);
    expect(cache.size).to.equal(1);
  });

  it('keeps written contacts only in place of one it already holds, so creations do not fill it', () => {
    const cache = new RenderedContacts(10);
    for (let id = 1; id <= 50; id++) cache.of(contact(id, 1), true);
    expect(cache.size).to.equal(0);
    cache.of(contact(7, 1));
    cache.of(contact(7, 2, 'Roe'), true);
    expect(cache.get({ id: 7, version: 2 })?.xmlDocument).to.contain('Roe');
  });

  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = new RenderedContacts(3);
    for (const id of [1, 2, 3]) cache.of(contact(id, 1));
    cache.get({ id: 1, version: 1 }); // 2 is now the least recently used
    cache.of(contact(4, 1));
    expect(cache.size).to.equal(3);
    expect(cache.get({ id: 2, version: 1 })).to.equal(undefined);
    expect(cache.get({ id: 1, version: 1 })).not.to.equal(undefined);
  });
});
