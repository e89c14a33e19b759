/**
 * Digests of the deployed artifacts, read from a deployment's `payload` (an object, or the JSON
 * string GitHub keeps when the creator sent a string). Recognised: any string value holding
 * `sha256:<64 hex>`, under any key and at any depth (so `digest`, `model_digest`, `image:
 * ghcr.io/acme/model@sha256:…`, `artifacts[].digest` all work). Upper-case hex is lower-cased;
 * duplicates are dropped. Bounded: depth 6, 20 digests.
 */
const DIGEST = /sha256:([0-9a-fA-F]{64})(?![0-9a-fA-F])/g;
export const MAX_DIGESTS = 20;
const MAX_DEPTH = 6;

export function digestsFromPayload(payload: unknown): string[] {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      // A plain string payload: scan the text itself.
    }
  }
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (out.size >= MAX_DIGESTS || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      for (const m of v.matchAll(DIGEST)) if (out.size < MAX_DIGESTS) out.add(`sha256:${m[1].toLowerCase()}`);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      for (const item of Object.values(v)) walk(item, depth + 1);
    }
  };
  walk(value, 0);
  return [...out];
}
