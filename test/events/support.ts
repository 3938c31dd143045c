// Helpers for event specs: reading the feed as a tenant.
import { expect } from 'chai';
import type { TestServer, Tenant } from '../support/server.js';

export interface JsonEvent {
  id: number;
  object_zname: string;
  object_zid: number;
  object_action: string;
  user_id: number | null;
  created_at: string;
  object_changes: Record<string, [unknown, unknown]>;
}

export async function feed(server: TestServer, t: Tenant, query = ''): Promise<JsonEvent[]> {
  const res = await server.as(t)(`/${t.bf}/events.json${query ? `?${query}` : ''}`);
  expect(res.status, res.text).to.equal(200);
  return (JSON.parse(res.text) as { events: JsonEvent[] }).events;
}

/** The whole feed, page by page. */
export async function fullFeed(server: TestServer, t: Tenant, limit = 1000): Promise<JsonEvent[]> {
  const all: JsonEvent[] = [];
  for (;;) {
    const page = await feed(server, t, `after=${all.length ? all[all.length - 1].id : 0}&limit=${limit}`);
    all.push(...page);
    if (page.length < limit) return all;
  }
}

/** The feed once it stops growing (events of other processes are sequenced on a short poll). */
export async function settledFeed(server: TestServer, t: Tenant, quietMs = 600): Promise<JsonEvent[]> {
  let last = await fullFeed(server, t);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await fullFeed(server, t);
    if (now.length === last.length) return now;
    last = now;
  }
}
