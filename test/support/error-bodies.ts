// Assertions on the contract's error answers (CONTRACT.md sections 6 and 8): the status, the
// Content-Type, and a body `<errors><error>…</error></errors>` or `{"errors": ["…"]}` with at
// least one non-empty message. An XML error body must itself be XML 1.0 a client can parse:
// no character that XML 1.0 forbids (C0 controls but tab, newline and CR; U+FFFE, U+FFFF).
import { expect } from 'chai';
import { errorsOf } from './contacts.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';
const ERRORS_START = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<errors>\n/;
const NOT_XML_1_0 = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Anything with a status, a Content-Type and a text body. */
export interface ErrorAnswer {
  status: number;
  contentType: string | null | undefined;
  text: string;
}

export function expectXmlError(res: ErrorAnswer, status: number): string[] {
  expect(res.status, res.text.slice(0, 500)).to.equal(status);
  expect(res.contentType).to.equal(XML_TYPE);
  expect(res.text).to.match(ERRORS_START);
  expect(res.text.trimEnd().endsWith('</errors>'), res.text.slice(-200)).to.equal(true);
  const bad = NOT_XML_1_0.exec(res.text);
  expect(bad, `the error body holds U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')}, which XML 1.0 forbids: ${JSON.stringify(res.text.slice(0, 300))}`).to.equal(null);
  const messages = errorsOf(res.text);
  expect(messages, res.text).to.have.length.greaterThan(0);
  for (const m of messages) expect(m).to.be.a('string').and.not.equal('');
  return messages;
}

export function expectJsonError(res: ErrorAnswer, status: number): string[] {
  expect(res.status, res.text.slice(0, 500)).to.equal(status);
  expect(res.contentType).to.equal(JSON_TYPE);
  const body = JSON.parse(res.text);
  expect(Object.keys(body)).to.deep.equal(['errors']);
  expect(body.errors).to.be.an('array').with.length.greaterThan(0);
  for (const m of body.errors) expect(m).to.be.a('string').and.not.equal('');
  return body.errors;
}
