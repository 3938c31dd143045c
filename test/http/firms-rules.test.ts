// The rules that tie firms together and to contacts (CONTRACT.md section 10): parent_firm_id
// (another firm of this business file, never itself, never a cycle), contacts_count, the
// delete guard, and GET /{bf}/firms/{id}/contacts.xml with every list parameter of section 3.
import { expect } from 'chai';
import { contactXml, parseXml } from '../support/contacts.js';
import { forEachEngine } from '../support/engines.js';
import { contactIds, firmOf, firmXml, parseDoc } from '../support/firms.js';
import { TestServer, type Tenant } from '../support/server.js';

const NOT_OF_THIS_FILE = 'Parent firm id is not a firm of this business file';
const ITSELF = 'Parent firm id cannot be the firm itself';
const CYCLE = 'Parent firm id would create a cycle';
const errorsIn = (text: string): string[] => parseDoc(text).errors?.error ?? [];

describe('firms: parents, counts, the delete guard and a firm\'s contacts', () => {
  forEachEngine((engine) => {
    let server: TestServer;
    before(async () => {
      server = await TestServer.start(engine);
    });
    after(() => server.stop());

    async function firm(t: Tenant, name: string, extra = ''): Promise<string> {
      const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml(name, extra) });
      expect(res.status, res.text).to.equal(201);
      return firmOf(res.text).id;
    }
    async function contact(t: Tenant, lastName: string, extra = ''): Promise<string> {
      const res = await server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml(lastName, extra) });
      expect(res.status, res.text).to.equal(201);
      return parseXml(res.text).contact[0].id;
    }
    const showFirm = async (t: Tenant, id: string) => firmOf((await server.as(t)(`/${t.bf}/firms/${id}.xml`)).text);
    const putFirm = (t: Tenant, id: string, body: string) => server.as(t)(`/${t.bf}/firms/${id}.xml`, { method: 'PUT', body });
    const del = (t: Tenant, id: string) => server.as(t)(`/${t.bf}/firms/${id}.xml`, { method: 'DELETE' });

    describe('parent_firm_id', () => {
      it('takes another firm of this business file, and empty', async () => {
        const t = await server.tenant();
        const parent = await firm(t, 'Holding');
        const child = await firm(t, 'Subsidiary', `<parent_firm_id>${parent}</parent_firm_id>`);
        expect((await showFirm(t, child)).parent_firm_id).to.equal(parent);
        const cleared = await putFirm(t, child, '<firm><parent_firm_id></parent_firm_id></firm>');
        expect(cleared.status).to.equal(200);
        expect(firmOf(cleared.text).parent_firm_id).to.equal('');
      });

      it(`refuses a firm of another business file, an unknown firm and a contact id: "${NOT_OF_THIS_FILE}"`, async () => {
        const t = await server.tenant();
        const other = await server.tenant();
        const foreign = await firm(other, 'Foreign');
        const contactId = await contact(t, 'Not a firm');
        for (const id of [foreign, '999999999', contactId]) {
          const res = await server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Orphan', `<parent_firm_id>${id}</parent_firm_id>`) });
          expect(res.status, id).to.equal(422);
          expect(errorsIn(res.text)).to.deep.equal([NOT_OF_THIS_FILE]);
        }
        const mine = await firm(t, 'Mine');
        const res = await putFirm(t, mine, `<firm><parent_firm_id>${foreign}</parent_firm_id></firm>`);
        expect(errorsIn(res.text)).to.deep.equal([NOT_OF_THIS_FILE]);
        expect((await showFirm(t, mine)).parent_firm_id).to.equal('');
      });

      it(`refuses the firm itself: "${ITSELF}"`, async () => {
        const t = await server.tenant();
        const id = await firm(t, 'Narcissus');
        const res = await putFirm(t, id, `<firm><parent_firm_id>${id}</parent_firm_id></firm>`);
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.deep.equal([ITSELF]);
        expect((await showFirm(t, id)).parent_firm_id).to.equal('');
      });

      it(`refuses a cycle, of two firms or of four: "${CYCLE}"`, async () => {
        const t = await server.tenant();
        const a = await firm(t, 'A');
        const b = await firm(t, 'B', `<parent_firm_id>${a}</parent_firm_id>`);
        const two = await putFirm(t, a, `<firm><parent_firm_id>${b}</parent_firm_id></firm>`);
        expect(two.status).to.equal(422);
        expect(errorsIn(two.text)).to.deep.equal([CYCLE]);
        const c = await firm(t, 'C', `<parent_firm_id>${b}</parent_firm_id>`);
        const d = await firm(t, 'D', `<parent_firm_id>${c}</parent_firm_id>`);
        const four = await putFirm(t, a, `<firm><parent_firm_id>${d}</parent_firm_id></firm>`);
        expect(errorsIn(four.text)).to.deep.equal([CYCLE]);
        expect((await showFirm(t, a)).parent_firm_id).to.equal('');
        // Not a cycle: a sibling, and moving a firm under an unrelated chain.
        expect((await putFirm(t, d, `<firm><parent_firm_id>${a}</parent_firm_id></firm>`)).status).to.equal(200);
        const e = await firm(t, 'E');
        expect((await putFirm(t, a, `<firm><parent_firm_id>${e}</parent_firm_id></firm>`)).status).to.equal(200);
      });

      it('reports the parent rule with the other problems at once', async () => {
        const t = await server.tenant();
        const id = await firm(t, 'Self');
        const res = await putFirm(t, id, `<firm><name></name><parent_firm_id>${id}</parent_firm_id><firm_type>nope</firm_type></firm>`);
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.have.members(["Name can't be blank", ITSELF, 'Firm type is not included in the list']);
      });
    });

    describe('contacts_count', () => {
      it("counts this business file's contacts whose firm_id is the firm, as they come, move and go", async () => {
        const t = await server.tenant();
        const other = await server.tenant();
        const f = await firm(t, 'Counted');
        const g = await firm(t, 'Other');
        expect((await showFirm(t, f)).contacts_count).to.equal('0');
        const c1 = await contact(t, 'One', `<firm_id>${f}</firm_id>`);
        await contact(t, 'Two', `<firm_id>${f}</firm_id>`);
        await contact(other, 'Elsewhere', `<firm_id>${f}</firm_id>`);
        expect((await showFirm(t, f)).contacts_count).to.equal('2');
        await server.as(t)(`/${t.bf}/contacts/${c1}.xml`, { method: 'PUT', body: `<contact><firm_id>${g}</firm_id></contact>` });
        expect((await showFirm(t, f)).contacts_count).to.equal('1');
        expect((await showFirm(t, g)).contacts_count).to.equal('1');
        await server.as(t)(`/${t.bf}/contacts/${c1}.xml`, { method: 'DELETE' });
        expect((await showFirm(t, g)).contacts_count).to.equal('0');
        const listed = parseDoc((await server.as(t)(`/${t.bf}/firms.xml`)).text).firms.firm.map((x: { contacts_count: string }) => x.contacts_count);
        expect(listed).to.deep.equal(['1', '0']);
      });
    });

    describe('concurrent writes', () => {
      it('never lets two concurrent parent changes make a cycle (ten rounds)', async () => {
        for (let round = 0; round < 10; round++) {
          const t = await server.tenant();
          const a = await firm(t, `A${round}`);
          const b = await firm(t, `B${round}`);
          const [ra, rb] = await Promise.all([
            putFirm(t, a, `<firm><parent_firm_id>${b}</parent_firm_id></firm>`),
            putFirm(t, b, `<firm><parent_firm_id>${a}</parent_firm_id></firm>`),
          ]);
          const statuses = [ra.status, rb.status].sort();
          expect(statuses, `round ${round}: A→B answered ${ra.status}, B→A answered ${rb.status}; parents now A: ${(await showFirm(t, a)).parent_firm_id}, B: ${(await showFirm(t, b)).parent_firm_id}`).to.deep.equal([200, 422]);
          const refused = ra.status === 422 ? ra : rb;
          expect(errorsIn(refused.text)).to.deep.equal([CYCLE]);
          const parents = [(await showFirm(t, a)).parent_firm_id, (await showFirm(t, b)).parent_firm_id];
          expect(parents.filter((p) => p !== ''), `round ${round}`).to.have.length(1);
        }
      });

      it('never lets three concurrent parent changes close a ring of three (ten rounds)', async () => {
        for (let round = 0; round < 10; round++) {
          const t = await server.tenant();
          const ids = [await firm(t, `R${round}a`), await firm(t, `R${round}b`), await firm(t, `R${round}c`)];
          const answers = await Promise.all(ids.map((id, k) => putFirm(t, id, `<firm><parent_firm_id>${ids[(k + 1) % 3]}</parent_firm_id></firm>`)));
          const statuses = answers.map((r) => r.status);
          expect(statuses.filter((s) => s === 200), `round ${round}: ${statuses.join(', ')}`).to.have.length(2);
          expect(statuses.filter((s) => s === 422), `round ${round}: ${statuses.join(', ')}`).to.have.length(1);
          const parents = await Promise.all(ids.map(async (id) => (await showFirm(t, id)).parent_firm_id));
          expect(parents.filter((p) => p !== ''), `round ${round}`).to.have.length(2);
        }
      });

      it('gives one of two concurrent creations with the same remote_id a 422, never a 500 (ten rounds)', async () => {
        for (let round = 0; round < 10; round++) {
          const t = await server.tenant();
          const post = () => server.as(t)(`/${t.bf}/firms.xml`, { method: 'POST', body: firmXml('Twin', `<remote_id>TWIN-${round}</remote_id>`) });
          const answers = await Promise.all([post(), post()]);
          expect(answers.map((r) => r.status).sort(), answers.map((r) => r.text).join('\n')).to.deep.equal([201, 422]);
          expect(errorsIn(answers.find((r) => r.status === 422)!.text)).to.deep.equal(['Remote id has already been taken']);
        }
      });

      it('never deletes a firm that a concurrently created contact names (ten rounds)', async () => {
        for (let round = 0; round < 10; round++) {
          const t = await server.tenant();
          const f = await firm(t, `Raced${round}`);
          const [del1, created] = await Promise.all([del(t, f), server.as(t)(`/${t.bf}/contacts.xml`, { method: 'POST', body: contactXml('Racer', `<firm_id>${f}</firm_id>`) })]);
          expect(created.status).to.equal(201);
          const exists = (await server.as(t)(`/${t.bf}/firms/${f}.xml`)).status === 200;
          // Either the delete came first (the contact then names no firm) or it was refused.
          expect(del1.status === 200 ? !exists : exists && del1.status === 422, `round ${round}: ${del1.status}`).to.equal(true);
        }
      });
    });

    describe('derived values and caches', () => {
      it("changes a firm's document and ETag when its contacts_count changes: a stale If-None-Match is no longer a 304", async () => {
        const t = await server.tenant();
        const f = await firm(t, 'Counted');
        const first = await server.as(t)(`/${t.bf}/firms/${f}.xml`);
        await server.as(t)(`/${t.bf}/firms/${f}.xml`);
        await server.as(t)(`/${t.bf}/firms.xml`);
        const etag = first.headers.get('etag') as string;
        await contact(t, 'Joins', `<firm_id>${f}</firm_id>`);
        const conditional = await server.as(t)(`/${t.bf}/firms/${f}.xml`, { headers: { 'If-None-Match': etag } });
        expect(conditional.status).to.equal(200);
        expect(firmOf(conditional.text).contacts_count).to.equal('1');
        expect(conditional.headers.get('etag')).not.to.equal(etag);
        expect(parseDoc((await server.as(t)(`/${t.bf}/firms.xml`)).text).firms.firm[0].contacts_count).to.equal('1');
        expect(JSON.parse((await server.as(t)(`/${t.bf}/firms/${f}.json`)).text).firm.contacts_count).to.equal(1);
        // A stale If-Match is refused too.
        expect((await server.as(t)(`/${t.bf}/firms/${f}.xml`, { method: 'PUT', body: firmXml('Lost'), headers: { 'If-Match': etag } })).status).to.equal(412);
      });

      it('gives a contact imported before its firm the firm_name once the firm is imported, even with its rendering cached', async () => {
        const t = await server.tenant();
        const base = Number((await server.db('firms').max({ m: 'id' }).first())?.m ?? 0) + Number((await server.db('contacts').max({ m: 'id' }).first())?.m ?? 0) + 5000;
        const contacts = `<contacts>\n  <contact><id>${base}</id><last_name>Early</last_name><firm_id>${base + 1}</firm_id></contact>\n</contacts>\n`;
        expect((await server.as(t)(`/${t.bf}/contacts/import.xml`, { method: 'POST', body: contacts })).status).to.equal(200);
        const before = await server.as(t)(`/${t.bf}/contacts/${base}.xml`);
        expect(parseXml(before.text).contact[0].firm_name).to.equal('');
        await server.as(t)(`/${t.bf}/contacts.xml`);
        const firms = `<firms>\n  <firm><id>${base + 1}</id><name>Late Firm</name></firm>\n</firms>\n`;
        expect((await server.as(t)(`/${t.bf}/firms/import.xml`, { method: 'POST', body: firms })).status).to.equal(200);
        const after = await server.as(t)(`/${t.bf}/contacts/${base}.xml`);
        expect(parseXml(after.text).contact[0].firm_name).to.equal('Late Firm');
        expect(after.headers.get('etag')).not.to.equal(before.headers.get('etag'));
        expect(parseXml((await server.as(t)(`/${t.bf}/contacts.xml`)).text).contacts.contact[0].firm_name).to.equal('Late Firm');
        expect(firmOf((await server.as(t)(`/${t.bf}/firms/${base + 1}.xml`)).text).contacts_count).to.equal('1');
        // A rename by re-import reaches the contact too.
        expect((await server.as(t)(`/${t.bf}/firms/import.xml`, { method: 'POST', body: firms.replace('Late Firm', 'Renamed Firm') })).status).to.equal(200);
        expect(parseXml((await server.as(t)(`/${t.bf}/contacts/${base}.xml`)).text).contact[0].firm_name).to.equal('Renamed Firm');
      });
    });

    describe('DELETE of a firm in use', () => {
      it('answers 422 "Firm cannot be deleted because it is used by 2 contacts" and deletes nothing', async () => {
        const t = await server.tenant();
        const f = await firm(t, 'Used');
        const c1 = await contact(t, 'One', `<firm_id>${f}</firm_id>`);
        const c2 = await contact(t, 'Two', `<firm_id>${f}</firm_id>`);
        const before = (await server.as(t)(`/${t.bf}/firms/${f}.xml`)).text;
        const res = await del(t, f);
        expect(res.status).to.equal(422);
        expect(res.headers.get('content-type')).to.equal('application/xml; charset=utf-8');
        expect(errorsIn(res.text)).to.deep.equal(['Firm cannot be deleted because it is used by 2 contacts']);
        expect((await server.as(t)(`/${t.bf}/firms/${f}.xml`)).text).to.equal(before);
        await server.as(t)(`/${t.bf}/contacts/${c1}.xml`, { method: 'DELETE' });
        expect(errorsIn((await del(t, f)).text)).to.deep.equal(['Firm cannot be deleted because it is used by 1 contact']);
        await server.as(t)(`/${t.bf}/contacts/${c2}.xml`, { method: 'PUT', body: '<contact><firm_id></firm_id></contact>' });
        expect((await del(t, f)).status).to.equal(200);
      });

      it('answers 422 "… used by 1 firm" for a parent firm, and in JSON on .json', async () => {
        const t = await server.tenant();
        const parent = await firm(t, 'Parent');
        const child = await firm(t, 'Child', `<parent_firm_id>${parent}</parent_firm_id>`);
        const res = await del(t, parent);
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.deep.equal(['Firm cannot be deleted because it is used by 1 firm']);
        const json = await server.as(t)(`/${t.bf}/firms/${parent}.json`, { method: 'DELETE' });
        expect(json.status).to.equal(422);
        expect(JSON.parse(json.text)).to.deep.equal({ errors: ['Firm cannot be deleted because it is used by 1 firm'] });
        await firm(t, 'Child 2', `<parent_firm_id>${parent}</parent_firm_id>`);
        expect(errorsIn((await del(t, parent)).text)).to.deep.equal(['Firm cannot be deleted because it is used by 2 firms']);
        expect((await showFirm(t, child)).parent_firm_id).to.equal(parent);
      });

      it('lists both sentences for a firm used by contacts and by a child firm, also through /firms/destroy', async () => {
        const t = await server.tenant();
        const f = await firm(t, 'Both');
        await firm(t, 'Child', `<parent_firm_id>${f}</parent_firm_id>`);
        await contact(t, 'One', `<firm_id>${f}</firm_id>`);
        const both = ['Firm cannot be deleted because it is used by 1 contact', 'Firm cannot be deleted because it is used by 1 firm'];
        const res = await del(t, f);
        expect(res.status).to.equal(422);
        expect(errorsIn(res.text)).to.have.members(both);
        const alias = await server.as(t)(`/firms/destroy/${t.bf}/${f}.xml`, { method: 'POST', headers: { 'Content-Type': 'application/xml' } });
        expect(alias.status).to.equal(422);
        expect(errorsIn(alias.text)).to.have.members(both);
        expect((await showFirm(t, f)).name).to.equal('Both');
      });

      it("ignores another business file's contacts that carry the same firm_id", async () => {
        const t = await server.tenant();
        const other = await server.tenant();
        const f = await firm(t, 'Free');
        await contact(other, 'Elsewhere', `<firm_id>${f}</firm_id>`);
        expect((await del(t, f)).status).to.equal(200);
      });
    });

    describe('GET /{bf}/firms/{id}/contacts.xml', () => {
      it("lists the firm's contacts with every list parameter: paging, pagination=false, sort, filters, q", async () => {
        const t = await server.tenant();
        const f = await firm(t, 'Employer');
        const g = await firm(t, 'Elsewhere');
        const ids: number[] = [];
        for (const [name, type] of [['Durand', 'client'], ['Arnaud', 'prospect'], ['Martin', 'client']]) ids.push(Number(await contact(t, name, `<firm_id>${f}</firm_id><contact_type>${type}</contact_type>`)));
        await contact(t, 'Outsider', `<firm_id>${g}</firm_id>`);
        await contact(t, 'Nobody');
        const path = `/${t.bf}/firms/${f}/contacts.xml`;
        const all = await server.as(t)(path);
        expect(all.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<contacts type="array">\n')).to.equal(true);
        expect(contactIds(all)).to.deep.equal(ids);
        expect(parseDoc(all.text).contacts.pagination).to.deep.equal({ current_page: '1', total_pages: '1', current_page_items_count: '3', per_page: '30', total_entries: '3' });
        expect(all.text).to.match(/<\/pagination>\n<\/contacts>\n$/);
        const page2 = await server.as(t)(`${path}?per_page=2&page=2`);
        expect(contactIds(page2)).to.deep.equal([ids[2]]);
        expect(parseDoc(page2.text).contacts.pagination.total_pages).to.equal('2');
        expect((await server.as(t)(`${path}?pagination=false`)).text).not.to.contain('<pagination>');
        expect(contactIds(await server.as(t)(`${path}?sort=last_name`))).to.deep.equal([ids[1], ids[0], ids[2]]);
        expect(contactIds(await server.as(t)(`${path}?contact_type=client`))).to.deep.equal([ids[0], ids[2]]);
        expect(contactIds(await server.as(t)(`${path}?q=MART`))).to.deep.equal([ids[2]]);
        expect(contactIds(await server.as(t)(`${path}?q=outsider`))).to.deep.equal([]);
        expect(contactIds(await server.as(t)(`${path}?firm_id=${g}`))).to.deep.equal([]);
        expect(contactIds(await server.as(t)(`${path}?updated_since=2000-01-01T00:00:00Z`))).to.deep.equal(ids);
        expect((await server.as(t)(`${path}?per_page=501`)).status).to.equal(400);
        expect((await server.as(t)(`${path}?sort=name`)).status).to.equal(400);
        const head = await server.as(t)(path, { method: 'HEAD' });
        expect([head.status, head.text]).to.deep.equal([200, '']);
        expect(head.headers.get('content-length')).to.equal(String(Buffer.byteLength(all.text)));
        const json = JSON.parse((await server.as(t)(`/${t.bf}/firms/${f}/contacts.json?per_page=1`)).text);
        expect(json.contacts.map((c: { id: number }) => c.id)).to.deep.equal([ids[0]]);
        expect(json.pagination.total_entries).to.equal(3);
      });

      it("answers 404 for an unknown firm and for another business file's firm, and 403 for another business file", async () => {
        const t = await server.tenant();
        const other = await server.tenant();
        const foreign = await firm(other, 'Foreign');
        await contact(other, 'Theirs', `<firm_id>${foreign}</firm_id>`);
        expect((await server.as(t)(`/${t.bf}/firms/999999999/contacts.xml`)).status).to.equal(404);
        expect((await server.as(t)(`/${t.bf}/firms/${foreign}/contacts.xml`)).status).to.equal(404);
        expect((await server.as(t)(`/${other.bf}/firms/${foreign}/contacts.xml`)).status).to.equal(403);
        const empty = await firm(t, 'Empty');
        const res = await server.as(t)(`/${t.bf}/firms/${empty}/contacts.xml`);
        expect(contactIds(res)).to.deep.equal([]);
        expect(parseDoc(res.text).contacts.pagination.total_pages).to.equal('0');
      });
    });
  });
});
