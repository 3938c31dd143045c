// Requests to the real server over a real socket (fetch), returning status, headers and text.
export interface Response {
  status: number;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** An Authorization header value, or false for none. */
  auth?: string | false;
  contentType?: string;
}

export const XML = 'application/xml';

export function basic(login: string, password: string): string {
  return 'Basic ' + Buffer.from(`${login}:${password}`).toString('base64');
}

export async function request(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.Authorization = options.auth;
  if (options.body !== undefined) headers['Content-Type'] ??= options.contentType ?? XML;
  const res = await fetch(baseUrl + path, { method: options.method ?? 'GET', headers, body: options.body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
