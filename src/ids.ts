// Record ids as they arrive in paths, options and import files: a plain decimal positive
// integer of at most ten digits (no sign, no leading zero, no exponent).
export const POSITIVE_ID = /^[1-9][0-9]{0,9}$/;

export function isPositiveId(text: string): boolean {
  return POSITIVE_ID.test(text);
}
