/*
 * Test helpers: a tiny Kubernetes HTTP client over global fetch.
 */
import { KubeObject } from './types';

/** Options of {@link kube}. */
export interface KubeRequest {
  method?: string;
  token?: string | null;
  accept?: string;
  contentType?: string;
  body?: unknown;
  timeoutMs?: number;
}

/** A parsed response. */
export interface KubeResponse<T = any> {
  status: number;
  body: T;
  elapsedMs: number;
}

/** Calls a simulated cluster: `kube(url, token, path, init)`. */
export async function kube<T = any>(
  baseUrl: string,
  token: string | null,
  path: string,
  init: KubeRequest = {},
): Promise<KubeResponse<T>> {
  const headers: Record<string, string> = {
    Accept: init.accept ?? 'application/json',
  };
  const auth = init.token === undefined ? token : init.token;
  if (auth) headers.Authorization = `Bearer ${auth}`;
  if (init.body !== undefined)
    headers['Content-Type'] = init.contentType ?? 'application/json';
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (health endpoints)
  }
  return {
    status: res.status,
    body: body as T,
    elapsedMs: Date.now() - started,
  };
}

/** Names of the items of a list body. */
export function names(list: { items: KubeObject[] }): string[] {
  return list.items.map(i => i.metadata.name);
}
