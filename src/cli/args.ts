// Small helpers for the CLI's argument parsing.
import { isPositiveId } from '../ids.js';

export class UsageError extends Error {}

export function positiveInteger(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!isPositiveId(value)) throw new UsageError(`--${name} must be a positive integer`);
  return Number(value);
}

export function required(name: string, value: string | undefined): string {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}
