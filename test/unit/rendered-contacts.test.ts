import { expect } from 'chai';
import { RenderedRecords } from '../../src/http/rendered.js';
import { CONTACT, type Contact } from '../support/contact-codec.js';
import { sectionTwoContact } from '../xml/helpers.js';

/** The contract's section 2 contact, with another id, version or last name. */
function contact(id: number, version: number, lastName = 'Bouvet'): Contact {
  return { ...sectionTwoContact(), id, version, last_name: lastName };
}

/** The stamp of a contact read at `version`, its firm at `firmVersion` (read.ts refFromRow). */
const ref = (id: number, version: number, firmVersion: number | '' = '') => ({ id, stamp: `${version}:${firmVersion}` });

describe('RenderedRecords (the per-process cache of encoded contacts)', () => {
  it('answers only for the stamp it rendered', () => {
    const cache = new RenderedRecords(CONTACT, 10);
    const first = cache.of(contact(1, 5), ref(1, 5));
    expect(cache.get(ref(1, 5))).to.equal(first);
    expect(cache.get(ref(1, 6))).to.equal(undefined);
    const next = cache.of(contact(1, 6, 'Roe'), ref(1, 6));
    expect(next.xmlDocument('empty').toString()).to.contain('<last_name>Roe</last_name>');
    expect(cache.get(ref(1, 5))).to.equal(undefined);
    expect(cache.get(ref(1, 6))).to.equal(next);
    expect(cache.size).to.equal(1);
  });

  it('misses when what the document shows of another record changed (the firm of a contact)', () => {
    const cache = new RenderedRecords(CONTACT, 10);
    const before = cache.of(contact(1, 5), ref(1, 5, 3));
    expect(cache.get(ref(1, 5, 3))).to.equal(before);
    expect(cache.get(ref(1, 5, 4))).to.equal(undefined);
    expect(cache.get(ref(1, 5))).to.equal(undefined);
  });

  it('keeps only renderings read at a stamp, so written contacts (creations) do not fill it', () => {
    const cache = new RenderedRecords(CONTACT, 10);
    for (let id = 1; id <= 50; id++) cache.of(contact(id, 1));
    expect(cache.size).to.equal(0);
    const read = cache.of(contact(7, 1), ref(7, 1));
    const written = cache.of(contact(7, 2, 'Roe'));
    expect(written.xmlDocument('empty').toString()).to.contain('<last_name>Roe</last_name>');
    expect(cache.get(ref(7, 2))).to.equal(undefined);
    expect(cache.get(ref(7, 1))).to.equal(read);
    expect(cache.size).to.equal(1);
  });

  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = new RenderedRecords(CONTACT, 3);
    for (const id of [1, 2, 3]) cache.of(contact(id, 1), ref(id, 1));
    cache.get(ref(1, 1)); // 2 is now the least recently used
    cache.of(contact(4, 1), ref(4, 1));
    expect(cache.size).to.equal(3);
    expect(cache.get(ref(2, 1))).to.equal(undefined);
    expect(cache.get(ref(1, 1))).not.to.equal(undefined);
    expect(cache.get(ref(3, 1))).not.to.equal(undefined);
    expect(cache.get(ref(4, 1))).not.to.equal(undefined);
  });

  it('keeps nothing with capacity 0', () => {
    const cache = new RenderedRecords(CONTACT, 0);
    cache.of(contact(1, 1), ref(1, 1));
    expect(cache.size).to.equal(0);
    expect(cache.get(ref(1, 1))).to.equal(undefined);
  });

  it('renders both XML profiles, the list item, the JSON object and the ETag of one state', () => {
    const c = contact(1, 1);
    const r = new RenderedRecords(CONTACT, 10).of(c, ref(1, 1));
    expect(r.stamp).to.equal('1:');
    expect(r.xmlDocument('empty').toString()).to.match(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<contact>\n  <id>1<\/id>\n/);
    expect(r.xmlDocument('empty').toString()).to.contain('  <project_id></project_id>\n');
    expect(r.xmlDocument('omit').toString()).not.to.contain('<project_id>');
    expect(r.xmlDocument('omit').toString()).to.contain('  <contact_type2></contact_type2>\n');
    expect(r.xmlListItem('empty').toString()).to.match(/^ {2}<contact>\n {4}<id>1<\/id>\n/);
    expect(r.xmlListItem('omit').toString()).not.to.contain('<bank_account_id>');
    expect(JSON.parse(r.json.toString())).to.include({ id: 1, last_name: 'Bouvet', project_id: null });
    expect(r.etag).to.match(/^"[A-Za-z0-9_-]{27}"$/);
    expect(new RenderedRecords(CONTACT, 10).of({ ...c, last_name: 'Roe' }).etag).not.to.equal(r.etag);
  });
});
