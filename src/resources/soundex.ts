// American Soundex (the four characters the old system stored as a firm's name_soundex):
// the first letter, then the codes of the following consonants, adjacent equal codes (also
// across H and W) written once, vowels separating, padded with zeros. Letters outside A–Z
// (accents folded first) are ignored.
const CODES: Record<string, string> = {
  B: '1', F: '1', P: '1', V: '1',
  C: '2', G: '2', J: '2', K: '2', Q: '2', S: '2', X: '2', Z: '2',
  D: '3', T: '3',
  L: '4',
  M: '5', N: '5',
  R: '6',
};

export function soundex(name: string | null): string | null {
  if (name === null) return null;
  const letters = name.normalize('NFD').toUpperCase().replace(/[^A-Z]/g, '');
  if (letters === '') return null;
  let out = letters[0];
  let last = CODES[letters[0]] ?? '';
  for (const letter of letters.slice(1)) {
    const code = CODES[letter];
    if (code === undefined) {
      // H and W do not separate equal codes; vowels (and Y) do.
      if (letter !== 'H' && letter !== 'W') last = '';
      continue;
    }
    if (code !== last) out += code;
    last = code;
    if (out.length === 4) break;
  }
  return out.padEnd(4, '0');
}
