/** Calls to the studio's JSON API, carrying the token from the page's own URL. */
export const token = new URLSearchParams(location.search).get('token') ?? '';

/** POST/PUT/GET a JSON API route; a refusal throws its message. */
export async function api<T = any>(method: string, route: string, body?: unknown): Promise<T> {
  const r = await fetch(`/api/${route}`, {
    method,
    headers: { 'x-studio-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) throw new Error(json?.error ?? `HTTP ${r.status}`);
  return json as T;
}

/** The server's events (training progress) for every open tab. */
export function events(on: Record<string, (data: any) => void>): EventSource {
  const es = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  for (const [name, f] of Object.entries(on)) es.addEventListener(name, (e) => f(JSON.parse((e as MessageEvent).data)));
  return es;
}

export interface Param { key: string; label: string; kind: string; default?: unknown; choices?: string[]; help?: string }
export interface LayerInfo { type: string; label: string; family: string; inputs: 'none' | 'one' | 'many'; params: Param[]; variants?: { label: string; types: string[] } }
export interface GNode { id: string; type: string; params: Record<string, unknown>; x?: number; y?: number }
export interface Graph { version: 1; nodes: GNode[]; edges: { from: string; to: string }[]; training?: Record<string, unknown> }
export interface NodeReport { shape?: (number | null)[]; params?: number; error?: string }
export interface Check { nodes: Record<string, NodeReport>; error: string | null; totalParams: number | null; sequential: boolean; summary: string[] }
