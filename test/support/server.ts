// A real service for a spec: its own database (a fresh SQLite file, or the MySQL test
// database), migrations applied, listening on a free port. Each test takes a fresh tenant
// (business file + user) so tests never see each other's contacts.
import type { Knex } from 'knex';
import { addToken, addUser } from '../../src/auth/users.js';
import type { Config } from '../../src/config.js';
import { connect } from '../../src/db/connection.js';
import { startService, type RunningService } from '../../src/server.js';
import type { Engine } from './engines.js';
import { basic, request, type RequestOptions, type Response } from './http.js';

export interface Tenant {
  bf: number;
  login: string;
  password: string;
  auth: string;
}

let tenantSeq = 0;

export class TestServer {
  private constructor(
    readonly engine: Engine,
    readonly service: RunningService,
    /** Every line the service logged (request lines, errors, driver warnings). */
    readonly logs: string[],
  ) {}

  /** `config` overrides the test defaults (e.g. `{ requestTimeoutMs: 1000 }`). */
  static async start(engine: Engine, logs: string[] = [], config: Partial<Omit<Config, 'databaseUrl'>> = {}): Promise<TestServer> {
    const url = engine.url();
    const db = connect(url, (line) => logs.push(line));
    const service = await startService(
      { port: 0, host: '127.0.0.1', databaseUrl: url, adminLogin: 'admin', adminPassword: 'admin-password', workers: 1, logRequests: true, ...config },
      (line) => logs.push(line),
      db,
    );
    return new TestServer(engine, service, logs);
  }

  get db(): Knex {
    return this.service.db;
  }

  get url(): string {
    return this.service.url;
  }

  /** A new business file with its own user (and a token when asked). */
  async tenant(): Promise<Tenant> {
    const row = await this.db('business_files').max({ m: 'id' }).first();
    const bf = Math.max(Number(row?.m ?? 0), 1000) + 1;
    tenantSeq++;
    const login = `user-${process.pid}-${Date.now()}-${tenantSeq}`;
    const password = `pw-${tenantSeq}-${Math.random().toString(36).slice(2)}`;
    await addUser(this.db, login, password, bf);
    return { bf, login, password, auth: basic(login, password) };
  }

  async token(login: string): Promise<string> {
    return addToken(this.db, login);
  }

  request(path: string, options: RequestOptions = {}): Promise<Response> {
    return request(this.url, path, options);
  }

  /** Requests as a tenant. */
  as(tenant: Tenant) {
    return (path: string, options: RequestOptions = {}) => this.request(path, { auth: tenant.auth, ...options });
  }

  async stop(): Promise<void> {
    await this.service.close();
  }
}

export { connect };
