// Well-formedness of request documents (CONTRACT.md section 6: 400 for malformed XML with line
// and column, any DOCTYPE, a wrong root, invalid UTF-8), and the hostile-input rules of
// notes/xml-input.md. Pure: bytes → decodeUtf8 → parseDocument.
import { expect } from 'chai';
import { readContact } from '../support/contact-codec.js';
import { decodeUtf8, parseDocument, refuseDeclaredEncoding, refuseOtherEncoding, XmlSyntaxError } from '../../src/xml/document.js';
import { fixtureBytes, fixtureNames, fixtureText, thrown, VALIDATION_FAULTS } from './helpers.js';

function parseBytes(bytes: Uint8Array, root = 'contact') {
  return parseDocument(decodeUtf8(bytes), root);
}

function syntaxError(fn: () => unknown): XmlSyntaxError {
  const error = thrown(fn);
  expect(error, `${error.name}: ${error.message}`).to.be.instanceOf(XmlSyntaxError);
  return error as XmlSyntaxError;
}

/** Every fixture that must be refused before validation, with the kind of refusal. */
const SYNTAX_FAULTS: Record<string, XmlSyntaxError['kind']> = {
  'doctype.xml': 'malformed',
  'external-entity.xml': 'malformed',
  'billion-laughs.xml': 'malformed',
  'unclosed-tag.xml': 'malformed',
  'mismatched-tag.xml': 'malformed',
  'two-roots.xml': 'malformed',
  'wrong-root.xml': 'malformed',
  'undefined-entity.xml': 'malformed',
  'bare-ampersand.xml': 'malformed',
  'bad-char-ref-surrogate.xml': 'malformed',
  'bad-char-ref-nul.xml': 'malformed',
  'bad-char-ref-noncharacter.xml': 'malformed',
  'proto-tag.xml': 'malformed',
  'constructor-tag.xml': 'malformed',
  'empty.xml': 'malformed',
  'declared-latin1.xml': 'unsupported-encoding',
  'invalid-utf8.xml': 'invalid-utf8',
  'overlong-utf8.xml': 'invalid-utf8',
};

describe('XML documents', () => {
  describe('fixtures', () => {
    it('classifies every file of fixtures/contacts/invalid as a syntax fault or a validation fault', () => {
      const known = [...Object.keys(SYNTAX_FAULTS), ...VALIDATION_FAULTS].sort();
      expect(fixtureNames('contacts/invalid')).to.deep.equal(known);
    });

    for (const [name, kind] of Object.entries(SYNTAX_FAULTS)) {
      it(`refuses invalid/${name} with a ${kind} XmlSyntaxError`, () => {
        const error = syntaxError(() => parseBytes(fixtureBytes(`contacts/invalid/${name}`)));
        expect(error.kind).to.equal(kind);
        expect(error.message).to.be.a('string').and.not.equal('');
      });
    }

    for (const name of VALIDATION_FAULTS) {
      it(`parses invalid/${name} (it is well-formed; validation refuses it)`, () => {
        expect(() => parseBytes(fixtureBytes(`contacts/invalid/${name}`))).not.to.throw();
      });
    }

    for (const name of fixtureNames('contacts/valid')) {
      it(`parses valid/${name}`, () => {
        const node = parseBytes(fixtureBytes(`contacts/valid/${name}`));
        expect(node).to.be.an('object');
      });
    }
  });

  describe('UTF-8', () => {
    it('decodes UTF-8, accents and emoji included', () => {
      expect(decodeUtf8(Buffer.from('<a>Adèle 😀</a>', 'utf8'))).to.equal('<a>Adèle 😀</a>');
    });

    it('drops a byte-order mark', () => {
      expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]))).to.equal('<a/>');
    });

    it('refuses an invalid byte instead of replacing it with U+FFFD', () => {
      const error = syntaxError(() => decodeUtf8(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])));
      expect(error.kind).to.equal('invalid-utf8');
    });

    it('refuses a Latin-1 é (a lone 0xE9 byte)', () => {
      expect(syntaxError(() => decodeUtf8(Buffer.from('<a>Ad\xe8le</a>', 'latin1'))).kind).to.equal('invalid-utf8');
    });

    it('refuses a truncated multi-byte sequence at the end of the body', () => {
      const bytes = Buffer.concat([Buffer.from('<a>x</a>'), Buffer.from([0xf0, 0x9f, 0x98])]);
      expect(syntaxError(() => decodeUtf8(bytes)).kind).to.equal('invalid-utf8');
    });

    it('refuses UTF-8-encoded surrogates (CESU-8)', () => {
      expect(syntaxError(() => decodeUtf8(new Uint8Array([0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e]))).kind).to.equal('invalid-utf8');
    });

    it('really holds invalid bytes in the invalid-utf8 fixture', () => {
      const bytes = fixtureBytes('contacts/invalid/invalid-utf8.xml');
      expect([...bytes]).to.include(0xff);
    });
  });

  describe('declared encoding', () => {
    it('accepts encoding="UTF-8", "utf-8" and "utf8", with either quote', () => {
      for (const decl of ['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.0" encoding="utf8"?>']) {
        expect(parseDocument(`${decl}\n<contact><last_name>x</last_name></contact>`, 'contact')).to.deep.equal({ last_name: 'x' });
      }
    });

    it('accepts a document without an XML declaration', () => {
      expect(parseDocument('<contact><last_name>x</last_name></contact>', 'contact')).to.deep.equal({ last_name: 'x' });
    });

    it('refuses ISO-8859-1, UTF-16 and windows-1252 declarations as unsupported-encoding', () => {
      for (const encoding of ['ISO-8859-1', 'UTF-16', 'windows-1252']) {
        const error = syntaxError(() => parseDocument(`<?xml version="1.0" encoding="${encoding}"?><contact/>`, 'contact'));
        expect(error.kind, encoding).to.equal('unsupported-encoding');
        expect(error.message).to.contain(encoding);
      }
    });

    it('recognises UTF-16 without a byte-order mark by its first characters "<?" (3C 00 3F 00, 00 3C 00 3F)', () => {
      const decl = '<?xml version="1.0" encoding="UTF-16"?><contact/>';
      for (const bytes of [Buffer.from(decl, 'utf16le'), Buffer.from(decl, 'utf16le').swap16()]) {
        const error = syntaxError(() => decodeUtf8(bytes));
        expect(error.kind).to.equal('unsupported-encoding');
        expect(error.message).to.contain('UTF-16');
      }
    });

    it('refuses UTF-16 with a byte-order mark, either endianness', () => {
      for (const bytes of [[0xff, 0xfe, 0x3c, 0x00], [0xfe, 0xff, 0x00, 0x3c]]) {
        expect(syntaxError(() => refuseOtherEncoding(new Uint8Array(bytes))).kind).to.equal('unsupported-encoding');
      }
    });

    it('accepts UTF-8 that starts with "<?", a UTF-8 byte-order mark, or nothing at all', () => {
      for (const bytes of [Buffer.from('<?xml version="1.0"?><a/>'), Buffer.from('\uFEFF<a/>'), Buffer.alloc(0), Buffer.from('<')]) {
        expect(() => refuseOtherEncoding(bytes)).not.to.throw();
      }
    });

    it('refuses a declaration read as text (the importer checks its files with it)', () => {
      expect(syntaxError(() => refuseDeclaredEncoding(`<?xml version="1.0"${' '.repeat(300)}encoding="latin1"?>`)).kind).to.equal('unsupported-encoding');
      expect(() => refuseDeclaredEncoding('<?xml version="1.0" encoding="UTF-8"?>')).not.to.throw();
      expect(() => refuseDeclaredEncoding('<?xml version="1.0"?>')).not.to.throw();
    });

    it('names the declared encoding of the latin1 fixture', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/declared-latin1.xml'), 'contact'));
      expect(error.message).to.contain('ISO-8859-1');
    });
  });

  describe('DOCTYPE', () => {
    it('refuses a plain DOCTYPE and points at it', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/doctype.xml'), 'contact'));
      expect(error.kind).to.equal('malformed');
      expect(error.message).to.contain('line 2, column 1');
    });

    it('refuses an external entity before anything reads it', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/external-entity.xml'), 'contact'));
      expect(error.message).to.contain('line 2, column 1');
      expect(error.message).not.to.contain('root:'); // nothing of /etc/passwd
    });

    it('refuses an entity-expansion bomb quickly', () => {
      const started = Date.now();
      syntaxError(() => parseDocument(fixtureText('contacts/invalid/billion-laughs.xml'), 'contact'));
      expect(Date.now() - started).to.be.below(1000);
    });

    it('refuses a lower-case <!doctype as well', () => {
      syntaxError(() => parseDocument('<!doctype contact><contact/>', 'contact'));
    });

    it('refuses a DOCTYPE that is not the first thing in the document', () => {
      const error = syntaxError(() => parseDocument('<contact>\n<last_name>x</last_name>\n<!DOCTYPE x>\n</contact>', 'contact'));
      expect(error.message).to.contain('line 3, column 1');
    });
  });

  describe('malformed documents: line and column', () => {
    it('reports an unclosed tag with its line and column', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/unclosed-tag.xml'), 'contact'));
      expect(error.kind).to.equal('malformed');
      expect(error.message).to.match(/line \d+, column \d+/);
      expect(error.message).to.contain('first_name');
    });

    it('reports a mismatched closing tag where it is', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/mismatched-tag.xml'), 'contact'));
      // `  <last_name>Bouvet</first_name>` is line 3; the closing tag starts at column 21.
      expect(error.message).to.match(/line 3, column \d+/);
    });

    it('reports an undefined entity (&nbsp;) at its exact position', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/undefined-entity.xml'), 'contact'));
      // `  <first_name>Ad&nbsp;le</first_name>`: the & is at column 17 of line 4.
      expect(error.message).to.contain('line 4, column 17');
      expect(error.message).to.contain('&nbsp;');
    });

    it('reports a bare ampersand at its position', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/bare-ampersand.xml'), 'contact'));
      expect(error.message).to.contain('line 3, column 16');
    });

    it('reports a surrogate character reference at its position', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/bad-char-ref-surrogate.xml'), 'contact'));
      expect(error.message).to.contain('line 3, column 21');
      expect(error.message).to.contain('&#xD800;');
    });

    it('counts lines the same way in a CRLF document', () => {
      const crlf = fixtureText('contacts/invalid/undefined-entity.xml').replace(/\n/g, '\r\n');
      expect(syntaxError(() => parseDocument(crlf, 'contact')).message).to.contain('line 4, column 17');
    });

    it('refuses text outside the root element', () => {
      syntaxError(() => parseDocument('<contact><last_name>a</last_name></contact>junk', 'contact'));
      syntaxError(() => parseDocument('junk<contact><last_name>a</last_name></contact>', 'contact'));
    });

    it('refuses a raw < in text', () => {
      syntaxError(() => parseDocument('<contact><last_name>a < b</last_name></contact>', 'contact'));
    });

    it('refuses an XML declaration that is not at the very start', () => {
      syntaxError(() => parseDocument('\n<?xml version="1.0"?><contact/>', 'contact'));
    });

    it('refuses a repeated attribute and an unquoted attribute', () => {
      syntaxError(() => parseDocument('<contact a="1" a="2"/>', 'contact'));
      syntaxError(() => parseDocument('<contact a=1/>', 'contact'));
    });

    it('refuses an empty body, a blank body and a lone declaration', () => {
      for (const text of ['', '  \n\t', '<?xml version="1.0" encoding="UTF-8"?>\n']) {
        expect(syntaxError(() => parseDocument(text, 'contact')).kind).to.equal('malformed');
      }
    });

    it('refuses a raw NUL as malformed, with its line and column (no XML version allows U+0000)', () => {
      const error = syntaxError(() => parseDocument('<contact>\n<last_name>A\u0000B</last_name></contact>', 'contact'));
      expect(error.kind).to.equal('malformed');
      expect(error.message).to.equal('Malformed XML at line 2, column 13: U+0000 is not allowed anywhere in XML.');
    });

    it('refuses the non-characters U+FFFE and U+FFFF written raw (not XML characters)', () => {
      for (const c of ['\uFFFE', '\uFFFF']) {
        syntaxError(() => parseDocument(`<contact><last_name>a${c}b</last_name></contact>`, 'contact'));
      }
    });

    it('accepts 100 levels of elements under the root and refuses 101 (README decision)', () => {
      const nested = (depth: number) => `<contact>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</contact>`;
      expect(() => parseDocument(nested(100), 'contact')).not.to.throw();
      expect(syntaxError(() => parseDocument(nested(101), 'contact')).message).to.match(/nested/);
    });

    it('refuses absurdly deep nesting without overflowing the stack', () => {
      const depth = 5000;
      const text = `<contact>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</contact>`;
      syntaxError(() => parseDocument(text, 'contact'));
    });
  });

  describe('messages quote input at a bounded length', () => {
    it('cuts a megabyte-long bad "tag" to 80 characters and "…"', () => {
      const error = syntaxError(() => parseDocument(`<contact><last_name>A</last_name>${'<'.repeat(1024 * 1024)}</contact>`, 'contact'));
      expect(error.message).to.match(/^Malformed XML at line 1, column \d+: /);
      expect(error.message.length).to.be.below(300);
      expect(error.message).to.contain(`'${'<'.repeat(80)}…'`);
      expect(error.location?.reason).to.equal(error.message.replace(/^Malformed XML at line 1, column \d+: /, ''));
    });

    it('cuts a long mismatched closing tag name, and never inside a surrogate pair', () => {
      const name = `a${'😀'.repeat(1000)}`;
      const error = syntaxError(() => parseDocument(`<contact><${name}>x</b></contact>`, 'contact'));
      expect(error.message.length).to.be.below(400);
      expect(error.message).to.contain(`'a${'😀'.repeat(39)}…'`);
      expect(error.message).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    });

    it('cuts the whole message when it lists thousands of unclosed tags', () => {
      const error = syntaxError(() => parseDocument(`<contact>${'<abc>'.repeat(5000)}`, 'contact'));
      expect(error.message.length).to.be.below(500);
    });

    it('cuts a long root element name and a long declared encoding', () => {
      const root = `r${'x'.repeat(100_000)}`;
      expect(syntaxError(() => parseDocument(`<${root}/>`, 'contact')).message.length).to.be.below(200);
      const declared = syntaxError(() => parseDocument(`<?xml version="1.0" encoding="${'L'.repeat(100_000)}"?><contact/>`, 'contact'));
      expect(declared.kind).to.equal('unsupported-encoding');
      expect(declared.message.length).to.be.below(200);
    });
  });

  describe('root element', () => {
    it('returns the content of the expected root', () => {
      expect(parseDocument('<contact><last_name>Bouvet</last_name></contact>', 'contact')).to.deep.equal({ last_name: 'Bouvet' });
    });

    it('returns an empty string for an empty root', () => {
      expect(parseDocument('<contact/>', 'contact')).to.equal('');
      expect(parseDocument('<contact></contact>', 'contact')).to.equal('');
    });

    it('refuses another root element and names both', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/wrong-root.xml'), 'contact'));
      expect(error.message).to.contain('<contact>');
      expect(error.message).to.contain('person');
    });

    it('refuses <contacts> where <contact> is expected, and the other way round', () => {
      syntaxError(() => parseDocument('<contacts><contact/></contacts>', 'contact'));
      syntaxError(() => parseDocument('<contact><last_name>x</last_name></contact>', 'contacts'));
    });

    it('refuses two roots, even with the right name', () => {
      const error = syntaxError(() => parseDocument(fixtureText('contacts/invalid/two-roots.xml'), 'contact'));
      expect(error.message).to.match(/line \d+, column \d+|root/);
    });

    it('keeps attributes of the root apart from its children', () => {
      expect(parseDocument('<contact type="hash"><last_name>a</last_name></contact>', 'contact')).to.deep.equal({ last_name: 'a', '@_type': 'hash' });
    });
  });

  describe('hostile element names', () => {
    afterEach(() => {
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.prototype).not.to.have.property('polluted');
    });

    it('refuses <__proto__> without polluting Object.prototype', () => {
      syntaxError(() => parseDocument(fixtureText('contacts/invalid/proto-tag.xml'), 'contact'));
    });

    it('refuses <constructor> without polluting Object.prototype', () => {
      syntaxError(() => parseDocument(fixtureText('contacts/invalid/constructor-tag.xml'), 'contact'));
    });

    it('does not let <toString> or <hasOwnProperty> replace the methods of the parsed node', () => {
      const node = parseDocument('<contact><toString>x</toString><hasOwnProperty>y</hasOwnProperty><last_name>a</last_name></contact>', 'contact');
      expect(typeof node).to.equal('object');
      expect(Object.prototype.hasOwnProperty.call(node, 'last_name')).to.equal(true);
      expect(String(node)).to.equal('[object Object]');
    });
  });

  describe('values stay text', () => {
    it('does not turn 00100, +33600000000, 0x1F, 1e5 or true into numbers or booleans', () => {
      const node = parseDocument('<contact><a>00100</a><b>+33600000000</b><c>0x1F</c><d>1e5</d><e>true</e></contact>', 'contact');
      expect(node).to.deep.equal({
        a: '00100',
        b: '+33600000000',
        c: '0x1F',
        d: '1e5',
        e: 'true',
      });
    });

    it('does not turn attribute values into numbers or booleans', () => {
      expect(parseDocument('<contact><a type="integer" nil="true"/></contact>', 'contact')).to.deep.equal({ a: { '@_type': 'integer', '@_nil': 'true' } });
    });

    it('reads CRLF and lone CR as a newline (XML end-of-line handling)', () => {
      expect(parseDocument('<contact>\r\n<comment>a\r\nb\rc</comment>\r\n</contact>', 'contact')).to.deep.equal({ comment: 'a\nb\nc' });
    });

    it('reads a CDATA section as text, entity-encoded like the rest of the tree (the reader decodes it)', () => {
      const tree = parseDocument('<contact><last_name><![CDATA[x < y & z &amp;]]></last_name></contact>', 'contact');
      expect(tree).to.deep.equal({ last_name: 'x &lt; y &amp; z &amp;amp;' });
      expect(readContact(tree).fields.last_name).to.equal('x < y & z &amp;');
    });

    it('ignores comments and processing instructions', () => {
      expect(parseDocument('<?xml version="1.0"?><!-- hi & bye --><contact><?app data?><a>x</a><!-- <b>y</b> --></contact>', 'contact')).to.deep.equal({
        a: 'x',
      });
    });
  });
});
