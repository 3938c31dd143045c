// One delivery attempt over HTTP: POST the body, wait at most the timeout for the answer's
// status, keep only the status and the time (the receiver's body is read and dropped).
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, safeLookup } from './url-safety.js';

export interface AttemptResult {
  status: number | null;
  /** A short, fixed description of what went wrong (never the receiver's answer). */
  error: string | null;
  milliseconds: number;
  ok: boolean;
}

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 4 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 4 }),
};
const checkedAgents = {
  'http:': new HttpAgent({
    keepAlive: true,
    maxSockets: 4,
    lookup: safeLookup as never,
  }),
  'https:': new HttpsAgent({
    keepAlive: true,
    maxSockets: 4,
    lookup: safeLookup as never,
  }),
};

function describe(error: NodeJS.ErrnoException): string {
  if (error.name === 'TimeoutError' || error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'EADDRNOTALLOWED') return 'address not allowed';
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ECONNRESET') return 'connection reset';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host not found';
  if (error.code?.startsWith('ERR_TLS') || /CERT|SSL/.test(error.code ?? '')) return 'TLS error';
  return error.code ? `network error (${error.code})` : 'network error';
}

export function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean, signal?: AbortSignal): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const protocol = target.protocol as 'http:' | 'https:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({
      status: null,
      error: 'address not allowed',
      milliseconds: 0,
      ok: false,
    });
  }
  const send = protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'milliseconds' | 'ok'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        ...result,
        milliseconds: elapsed(),
        ok: result.status !== null && result.status >= 200 && result.status < 300,
      });
    };
    const req = send(
      target,
      {
        method: 'POST',
        agent: (allowPrivate ? agents : checkedAgents)[protocol],
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(payload.length),
          'User-Agent': 'contacts-webhooks/1',
          ...headers,
        },
        signal,
      },
      (res) => {
        res.resume(); // the body is not kept
        res.on('error', () => {});
        finish({ status: res.statusCode ?? null, error: null });
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        status: null,
        error: signal?.aborted ? 'stopped' : describe(error),
      }),
    );
    req.end(payload);
  });
}
