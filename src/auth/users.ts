// API users, their business files and tokens: data access only.
import type { Knex } from 'knex';
import { toDbText } from '../time.js';
import { hashPassword } from './passwords.js';
import { newToken, tokenDigest } from './tokens.js';
import { writeTransaction } from '../db/transaction.js';
import { selectRows } from '../db/select.js';
import { addUsersWrite } from '../resources/tallies.js';

type Db = Knex | Knex.Transaction;

export interface ApiUser {
  id: number;
  login: string;
  passwordHash: string;
  /** In the order they were given: the first is the default business file. */
  businessFileIds: number[];
  /** The user's XML profile (contract section 1): how integer elements without a value are written. */
  emptyIntegers: EmptyIntegers;
}

export type EmptyIntegers = 'empty' | 'omit';
const profile = (value: unknown): EmptyIntegers => (value === 'omit' ? 'omit' : 'empty');

async function withBusinessFiles(db: Db, row: { id: number; login: string; password_hash: string; empty_integers: string } | undefined): Promise<ApiUser | undefined> {
  if (!row) return undefined;
  const files = await db('user_business_files').select('business_file_id').where('user_id', row.id).orderBy('position');
  return { id: row.id, login: row.login, passwordHash: row.password_hash, businessFileIds: files.map((f) => Number(f.business_file_id)), emptyIntegers: profile(row.empty_integers) };
}

interface UserFileRow {
  id: number;
  login: string;
  password_hash: string;
  empty_integers: string;
  business_file_id: number | null;
  position: number | null;
}

/**
 * One query per request (legacy clients authenticate each one): the user with its business
 * files. Put in order here, not by ORDER BY: MariaDB sorted the join through a temporary table
 * on every request (a bare server making GET one's two queries: about 20 % more requests/s).
 */
const USER_BY_LOGIN = `SELECT u.id, u.login, u.password_hash, u.empty_integers, f.business_file_id, f.position FROM users u
  LEFT JOIN user_business_files f ON f.user_id = u.id WHERE u.login = ?`;

export async function findUserByLogin(db: Db, login: string): Promise<ApiUser | undefined> {
  const rows = await selectRows<UserFileRow>(db, USER_BY_LOGIN, [login]);
  if (rows.length === 0) return undefined;
  const files = rows
    .filter((r) => r.business_file_id !== null)
    .sort((a, b) => Number(a.position) - Number(b.position))
    .map((r) => Number(r.business_file_id));
  return { id: Number(rows[0].id), login: rows[0].login, passwordHash: rows[0].password_hash, businessFileIds: files, emptyIntegers: profile(rows[0].empty_integers) };
}

/** The user of a token, by the token's digest (tokens.ts): how it is stored, and kept by callers. */
export async function findUserByTokenDigest(db: Db, digest: string): Promise<ApiUser | undefined> {
  const row = await db('api_tokens')
    .join('users', 'users.id', 'api_tokens.user_id')
    .select('users.id', 'users.login', 'users.password_hash', 'users.empty_integers')
    .where('api_tokens.token_digest', digest)
    .first();
  return withBusinessFiles(db, row);
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db('users').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function ensureBusinessFile(db: Db, id: number): Promise<void> {
  const exists = await db('business_files').where('id', id).first();
  if (!exists) await db('business_files').insert({ id, name: null, created_at: toDbText(new Date()) });
}

/**
 * Creates a user (or gives an existing one the business file) and the business file if new.
 * With a password for an existing user, the password is changed.
 */
export interface UserOptions {
  /** The XML profile; unchanged for an existing user when not given. */
  emptyIntegers?: EmptyIntegers;
}

export async function addUser(db: Knex, login: string, password: string | undefined, businessFileId: number, options: UserOptions = {}): Promise<{ created: boolean }> {
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  return writeTransaction(db, async (trx) => {
    await ensureBusinessFile(trx, businessFileId);
    let user = await trx('users').select('id').where('login', login).first();
    const created = !user;
    if (!user) {
      if (!passwordHash) throw new Error('A new user needs a password.');
      const [id] = await trx('users').insert({ login, password_hash: passwordHash, empty_integers: options.emptyIntegers ?? 'empty', created_at: toDbText(new Date()) });
      user = { id: Number(id) };
    } else {
      const changes = { ...(passwordHash && { password_hash: passwordHash }), ...(options.emptyIntegers && { empty_integers: options.emptyIntegers }) };
      if (Object.keys(changes).length > 0) await trx('users').where('id', user.id).update(changes);
    }
    const member = await trx('user_business_files').where({ user_id: user.id, business_file_id: businessFileId }).first();
    if (!member) {
      const last = await trx('user_business_files').where('user_id', user.id).max({ p: 'position' }).first();
      await trx('user_business_files').insert({ user_id: user.id, business_file_id: businessFileId, position: Number(last?.p ?? -1) + 1 });
    }
    await addUsersWrite(trx, created ? 1 : 0);
    return { created };
  });
}

/** Creates a token for the user and returns it: the only time it is ever seen. */
export async function addToken(db: Knex, login: string): Promise<string> {
  const token = newToken();
  await writeTransaction(db, async (trx) => {
    const user = await trx('users').select('id').where('login', login).first();
    if (!user) throw new Error(`No API user with login "${login}".`);
    await trx('api_tokens').insert({ user_id: user.id, token_digest: tokenDigest(token), created_at: toDbText(new Date()) });
    await addUsersWrite(trx, 0);
  });
  return token;
}

/** Removes the user with its tokens and memberships (the foreign keys cascade). */
export async function removeUser(db: Knex, login: string): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const removed = (await trx('users').where('login', login).del()) > 0;
    if (removed) await addUsersWrite(trx, -1);
    return removed;
  });
}
