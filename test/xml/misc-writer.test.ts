// The small documents: <errors> (CONTRACT.md sections 5 and 6) and <lookups> (section 2).
import { expect } from 'chai';
import { errorsDocument, lookupsDocument } from '../../src/xml/misc-writer.js';
import { contractLookups, fixtureText } from './helpers.js';

describe('writing errors and lookups as XML', () => {
  describe('<errors>', () => {
    it('writes every message, escaped, with no attribute on <errors> (fixtures/responses/errors.xml)', () => {
      const xml = errorsDocument([
        "Last name can't be blank",
        'Firm id is not a number',
        'Contact items value is not a valid email address',
        "Contact items id 5<6&7 is not one of this contact's items",
      ]);
      expect(xml).to.equal(fixtureText('responses/errors.xml'));
    });

    it('writes one message as one <error>', () => {
      expect(errorsDocument(['Not found.'])).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>Not found.</error>\n</errors>\n');
    });

    it('writes U+FFFD for what XML 1.0 forbids in a message (C0 controls, lone surrogates, U+FFFE, U+FFFF)', () => {
      const xml = errorsDocument(["Tag 'x\u0001y' is an invalid name.", 'a\u0000b\u001Fc\u000Bd\uFFFEe\uFFFFf', 'lone \uD800 and \uDC00, reversed \uDE00\uD83D.']);
      expect(xml).to.contain("<error>Tag 'x\uFFFDy' is an invalid name.</error>");
      expect(xml).to.contain('<error>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf</error>');
      expect(xml).to.contain('<error>lone \uFFFD and \uFFFD, reversed \uFFFD\uFFFD.</error>');
    });

    it('keeps tab, newline, carriage return and surrogate pairs in a message', () => {
      expect(errorsDocument(['a\tb\nc\rd 😀 \u{10FFFD}'])).to.contain('<error>a\tb\nc\rd 😀 \u{10FFFD}</error>');
    });

    it('writes UTF-8 text as is', () => {
      expect(errorsDocument(['Last name is too long (maximum is 200 characters) — 😀'])).to.contain(
        '<error>Last name is too long (maximum is 200 characters) — 😀</error>',
      );
    });
  });

  describe('<lookups>', () => {
    it('writes the four tables of the contract, with item kinds (fixtures/responses/lookups.xml)', () => {
      expect(lookupsDocument(contractLookups())).to.equal(fixtureText('responses/lookups.xml'));
    });

    it('lists contact item types with the headings the right way round: 20–22 are address types', () => {
      const xml = lookupsDocument(contractLookups());
      const addressTypes = /<address_types>([\s\S]*?)<\/address_types>/.exec(xml)![1];
      const itemTypes = /<contact_item_types>([\s\S]*?)<\/contact_item_types>/.exec(xml)![1];
      expect([...addressTypes.matchAll(/<id>(\d+)<\/id>/g)].map((m) => m[1])).to.deep.equal(['20', '21', '22']);
      expect([...itemTypes.matchAll(/<id>(\d+)<\/id>/g)].map((m) => m[1])).not.to.include.members(['20', '21', '22']);
    });
  });
});
