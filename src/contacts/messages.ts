// Rails-style error sentences. ActiveResource maps a message to a field by its prefix, the
// humanized field name, so every message starts with one.

export function humanize(field: string): string {
  const words = field.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const MESSAGES = {
  blank: "can't be blank",
  tooLong: (max: number) => `is too long (maximum is ${max} characters)`,
  notIncluded: 'is not included in the list',
  notANumber: 'is not a number',
  mustBePositive: 'must be greater than 0',
  tooBig: (max: number) => `must be less than or equal to ${max}`,
  invalidEmail: 'is not a valid email address',
  controlCharacter: 'contains a control character (only tab and newline are allowed)',
  taken: 'has already been taken',
  tooMany: (max: number, noun: string) => `is too long (maximum is ${max} ${noun})`,
  notAChild: (id: string, noun: string, owner = 'contact') => `id ${id} is not one of this ${owner}'s ${noun}`,
};
