// Timestamp formats (CONTRACT.md sections 2 and 3): legacy dd-mm-YYYY-HH-MM in XML, ISO 8601
// UTC with seconds in JSON, both accepted by updated_since; always UTC.
import { expect } from 'chai';
import { fromDbText, nowToSecond, parseTimestamp, toDbText, toIso, toLegacy } from '../../src/time.js';

const at = (iso: string) => new Date(iso);

describe('timestamps', () => {
  describe('toLegacy', () => {
    it('writes dd-mm-YYYY-HH-MM', () => {
      expect(toLegacy(at('2012-01-17T15:14:00Z'))).to.equal('17-01-2012-15-14');
    });

    it('pads day, month, hour and minute with zeros', () => {
      expect(toLegacy(at('2019-03-05T09:07:00Z'))).to.equal('05-03-2019-09-07');
      expect(toLegacy(at('2000-01-01T00:00:00Z'))).to.equal('01-01-2000-00-00');
    });

    it('drops seconds and milliseconds without rounding up', () => {
      expect(toLegacy(at('2020-12-31T23:59:59.999Z'))).to.equal('31-12-2020-23-59');
    });

    it('writes the time in UTC whatever the offset it was given in', () => {
      expect(toLegacy(at('2012-01-17T23:30:00-05:00'))).to.equal('18-01-2012-04-30');
    });
  });

  describe('toIso', () => {
    it('writes ISO 8601 UTC with seconds and no milliseconds', () => {
      expect(toIso(at('2012-01-17T15:14:09Z'))).to.equal('2012-01-17T15:14:09Z');
      expect(toIso(at('2012-01-17T15:14:09.999Z'))).to.equal('2012-01-17T15:14:09Z');
    });

    it('converts to UTC', () => {
      expect(toIso(at('2012-01-17T16:14:09+01:00'))).to.equal('2012-01-17T15:14:09Z');
    });
  });

  describe('database text', () => {
    it('writes YYYY-MM-DD HH:MM:SS in UTC', () => {
      expect(toDbText(at('2012-01-17T15:14:09.5Z'))).to.equal('2012-01-17 15:14:09');
    });

    it('reads it back as UTC', () => {
      expect(fromDbText('2012-01-17 15:14:09').toISOString()).to.equal('2012-01-17T15:14:09.000Z');
    });

    it('passes a Date (as some drivers return) through', () => {
      const d = at('2012-01-17T15:14:09Z');
      expect(fromDbText(d)).to.equal(d);
    });

    it('round-trips', () => {
      const d = at('1999-12-31T23:59:59Z');
      expect(fromDbText(toDbText(d)).getTime()).to.equal(d.getTime());
    });
  });

  describe('nowToSecond', () => {
    it('has no milliseconds and is now', () => {
      const before = Math.floor(Date.now() / 1000) * 1000;
      const now = nowToSecond();
      expect(now.getUTCMilliseconds()).to.equal(0);
      expect(now.getTime()).to.be.at.least(before).and.at.most(Date.now());
    });
  });

  describe('parseTimestamp', () => {
    it('reads the legacy format as UTC', () => {
      expect(parseTimestamp('17-01-2012-15-14')?.toISOString()).to.equal('2012-01-17T15:14:00.000Z');
    });

    it('reads ISO 8601 with Z, with milliseconds, and with offsets in both spellings', () => {
      expect(parseTimestamp('2012-01-17T15:14:09Z')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
      expect(parseTimestamp('2012-01-17T15:14:09.123Z')?.toISOString()).to.equal('2012-01-17T15:14:09.123Z');
      expect(parseTimestamp('2012-01-17T16:14:09+01:00')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
      expect(parseTimestamp('2012-01-17T10:14:09-0500')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
      expect(parseTimestamp('2012-01-17T20:44:09+05:30')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
    });

    it('reads ISO 8601 without a zone as UTC, and a date alone as midnight UTC', () => {
      expect(parseTimestamp('2012-01-17T15:14:09')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
      expect(parseTimestamp('2012-01-17T15:14')?.toISOString()).to.equal('2012-01-17T15:14:00.000Z');
      expect(parseTimestamp('2012-01-17')?.toISOString()).to.equal('2012-01-17T00:00:00.000Z');
    });

    it('reads a space instead of T', () => {
      expect(parseTimestamp('2012-01-17 15:14:09')?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
    });

    it('keeps only milliseconds of a longer fraction', () => {
      expect(parseTimestamp('2012-01-17T15:14:09.123456789Z')?.toISOString()).to.equal('2012-01-17T15:14:09.123Z');
    });

    it('crosses the date line when the offset says so', () => {
      expect(parseTimestamp('2012-01-01T00:30:00+01:00')?.toISOString()).to.equal('2011-12-31T23:30:00.000Z');
    });

    it('refuses impossible dates and times instead of rolling them over', () => {
      for (const text of [
        '32-01-2012-15-14',
        '17-13-2012-15-14',
        '29-02-2011-00-00',
        '17-01-2012-24-00',
        '17-01-2012-15-60',
        '2012-02-30',
        '2012-01-17T25:00:00Z',
        '2012-01-17T15:14:60Z',
        '2012-00-10',
      ]) {
        expect(parseTimestamp(text), text).to.equal(undefined);
      }
    });

    it('accepts 29 February of a leap year', () => {
      expect(parseTimestamp('29-02-2012-00-00')?.toISOString()).to.equal('2012-02-29T00:00:00.000Z');
    });

    it('refuses other formats', () => {
      for (const text of [
        '',
        'yesterday',
        '1326813249',
        '2012-1-17',
        '17/01/2012',
        '17-01-2012',
        '17-01-2012-15-14-09',
        '2012-01-17T15:14:09ZZ',
        ' 2012-01-17',
        '2012-01-17T15',
        '2012-01-17T15:14:09+1',
      ]) {
        expect(parseTimestamp(text), JSON.stringify(text)).to.equal(undefined);
      }
    });

    it('refuses an offset that cannot exist (+99:99)', () => {
      expect(parseTimestamp('2012-01-17T15:14:09+99:99')).to.equal(undefined);
    });

    it('reads back what toLegacy and toIso write (at their precision)', () => {
      const d = at('2012-01-17T15:14:09.456Z');
      expect(parseTimestamp(toLegacy(d))?.toISOString()).to.equal('2012-01-17T15:14:00.000Z');
      expect(parseTimestamp(toIso(d))?.toISOString()).to.equal('2012-01-17T15:14:09.000Z');
    });
  });
});
