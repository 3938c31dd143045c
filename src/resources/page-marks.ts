// Deep pages of a list in id order (the default order, the one old clients page through)
// without skipping every record before them. A process keeps, per list and direction, the id
// found at every MARK_EVERY-th position: a page at offset 500,030 is then the records from the
// id at 500,000 on, 30 skipped. The marks of a list hold while its business file sees no write
// (the tally's write count: a KeptUntilWrite, tallies.ts, like the counts the service keeps);
// after a write they are found again, each from the nearest one before it.

/** Positions apart of two marks: a page skips fewer index entries than this. */
export const MARK_EVERY = 5_000;
/** Lists whose marks a process keeps (each a few ids): a KeptUntilWrite (tallies.ts) of this size. */
export const LISTS_KEPT = 1_000;

/** Position in the list → id of the record there. */
export type Marks = Map<number, number>;

/** The mark at or before `position` nearest to it: [position, id], or [0, undefined] for the list's start. */
export function nearestMark(marks: Marks, position: number): [number, number | undefined] {
  let best: [number, number | undefined] = [0, undefined];
  for (const [at, id] of marks) if (at <= position && at > best[0]) best = [at, id];
  return best;
}
