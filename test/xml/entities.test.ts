// Entity and character references (XML 1.0 section 4.1): the strict pass over a raw document
// and the decoding of parsed text. Only the five predefined entities and character references
// to legal XML characters exist; there is no DTD to define others.
import { expect } from 'chai';
import { decodeEntities, findEntityProblem } from '../../src/xml/entities.js';

describe('XML entities', () => {
  describe('findEntityProblem', () => {
    it('accepts a document without any &', () => {
      expect(findEntityProblem('<a>plain text</a>')).to.equal(undefined);
    });

    it('accepts the five predefined entities', () => {
      expect(findEntityProblem('<a>&amp; &lt; &gt; &quot; &apos;</a>')).to.equal(undefined);
    });

    it('accepts decimal and hexadecimal character references, either hex case', () => {
      expect(findEntityProblem('<a>&#233; &#xE9; &#xe9; &#x1F600; &#128512; &#9; &#10; &#13;</a>')).to.equal(undefined);
    });

    it('accepts the highest legal character U+10FFFD', () => {
      expect(findEntityProblem('<a>&#x10FFFD;</a>')).to.equal(undefined);
    });

    it('accepts a character reference with leading zeros (XML puts no limit on the digits)', () => {
      expect(findEntityProblem('<a>&#x0000041;</a>')).to.equal(undefined);
      expect(findEntityProblem('<a>&#00000065;</a>')).to.equal(undefined);
    });

    it('reports an undefined entity (&nbsp;, &eacute;) with its index', () => {
      expect(findEntityProblem('<a>x&nbsp;y</a>')).to.deep.include({
        index: 4,
      });
      expect(findEntityProblem('<a>x&nbsp;y</a>')?.message).to.contain('&nbsp;');
      expect(findEntityProblem('<a>&eacute;</a>')).to.not.equal(undefined);
    });

    it('reports a bare & and an unterminated reference', () => {
      expect(findEntityProblem('<a>AT&T</a>')).to.deep.include({ index: 5 });
      expect(findEntityProblem('<a>&amp</a>')).to.not.equal(undefined);
      expect(findEntityProblem('<a>a & b</a>')).to.not.equal(undefined);
      expect(findEntityProblem('<a>&;</a>')).to.not.equal(undefined);
    });

    it('reports malformed character references', () => {
      for (const ref of ['&#;', '&#x;', '&#xZZ;', '&#12a;', '&#-1;', '&#X41;']) {
        expect(findEntityProblem(`<a>${ref}</a>`), ref).to.not.equal(undefined);
      }
    });

    it('reports references to surrogates and beyond U+10FFFF', () => {
      for (const ref of ['&#xD800;', '&#xDFFF;', '&#55296;', '&#x110000;', '&#1114112;']) {
        expect(findEntityProblem(`<a>${ref}</a>`), ref).to.not.equal(undefined);
      }
    });

    it('reports references to what is never a character: NUL, U+FFFE, U+FFFF', () => {
      for (const ref of ['&#0;', '&#x0;', '&#00;', '&#xFFFE;', '&#xFFFF;', '&#65534;']) {
        expect(findEntityProblem(`<a>${ref}</a>`), ref).to.not.equal(undefined);
      }
    });

    it('reports a raw NUL, U+FFFE and U+FFFF at their index, naming the character', () => {
      expect(findEntityProblem('<a>x\u0000y</a>')).to.deep.equal({ index: 4, message: 'U+0000 is not allowed anywhere in XML.' });
      expect(findEntityProblem('<a>&amp;\u0000</a>')?.index).to.equal(8);
      expect(findEntityProblem('<a b="\u0000"/>')?.index).to.equal(6);
      expect(findEntityProblem('<a>\uFFFF</a>')?.message).to.contain('U+FFFF');
    });

    it('lets other C0 controls through, as XML 1.1 does (validation refuses them with a 422 naming the field; README decision)', () => {
      for (const ref of ['&#1;', '&#x1B;', '&#x7F;', '&#x85;']) {
        expect(findEntityProblem(`<a>${ref}</a>`), ref).to.equal(undefined);
      }
    });

    it('reports the first problem of several', () => {
      expect(findEntityProblem('<a>&amp; &bogus; &nbsp;</a>')?.index).to.equal(9);
    });

    it('reports references in attribute values too', () => {
      expect(findEntityProblem('<a b="&nbsp;">x</a>')).to.not.equal(undefined);
    });

    it('skips CDATA sections and comments, where & is literal', () => {
      expect(findEntityProblem('<a><![CDATA[AT&T &nbsp;]]></a>')).to.equal(undefined);
      expect(findEntityProblem('<a><!-- AT&T &nbsp; --></a>')).to.equal(undefined);
    });

    it('does not let a comment hide a problem after it', () => {
      expect(findEntityProblem('<a><!-- & -->AT&T</a>')).to.not.equal(undefined);
    });

    it('gives the same answer when called twice (no leftover regex state)', () => {
      const text = '<a>ok &amp; then &nbsp;</a>';
      expect(findEntityProblem(text)).to.deep.equal(findEntityProblem(text));
      expect(findEntityProblem('<a>&amp;</a>')).to.equal(undefined);
    });
  });

  describe('decodeEntities', () => {
    it('decodes the five predefined entities', () => {
      expect(decodeEntities('AT&amp;T &lt;b&gt; &quot;q&quot; &apos;s&apos;')).to.equal('AT&T <b> "q" \'s\'');
    });

    it('decodes decimal and hexadecimal character references', () => {
      expect(decodeEntities('Ren&#233;e H&#xE9;l&#xe8;ne')).to.equal('Renée Hélène');
    });

    it('decodes a reference outside the BMP to one code point (two UTF-16 units)', () => {
      const text = decodeEntities('&#x1F600;');
      expect(text).to.equal('😀');
      expect([...text]).to.have.length(1);
    });

    it('decodes exactly once: &amp;lt; is the text &lt;, and &#38;amp; is &amp;', () => {
      expect(decodeEntities('&amp;lt;')).to.equal('&lt;');
      expect(decodeEntities('&#38;amp;')).to.equal('&amp;');
      expect(decodeEntities('&amp;amp;')).to.equal('&amp;');
    });

    it('leaves text without references untouched', () => {
      expect(decodeEntities('00100 +33600000000')).to.equal('00100 +33600000000');
    });

    it('decodes character references with leading zeros', () => {
      expect(decodeEntities('&#x0000041;&#00000066;')).to.equal('AB');
    });

    it('decodes &#13; to a carriage return (XML keeps a referenced CR; validation normalizes it)', () => {
      expect(decodeEntities('a&#13;b')).to.equal('a\rb');
    });
  });
});
