/**
 * PIPELINE_GUARD_RECORD=<file>: append one JSON line per GitHub request (method, route template,
 * URL, JSON body) so a live run can be replayed as fixtures. Never headers, so never the token.
 */
import { appendFileSync } from 'node:fs';

export interface RecordedRequest {
  method: string;
  /** Route template, e.g. `/repos/{owner}/{repo}/actions/permissions`. */
  route: string;
  url: string;
  body?: unknown;
  /** HTTP status of the answer (or of the error). */
  status?: number;
}

type RequestOptions = Record<string, unknown> & { method?: string; url?: string };
type RequestFn = (options: RequestOptions) => Promise<{ status?: number }>;
type Parse = (options: RequestOptions) => { method: string; url: string; body?: unknown };

export interface HookableOctokit {
  // `never` accepts Octokit's generic `parse<O extends EndpointDefaults>`; it is called through `Parse` below.
  request: { endpoint: { parse(options: never): unknown } };
  hook: {
    wrap(name: 'request', fn: (request: RequestFn, options: RequestOptions) => Promise<unknown>): void;
  };
}

const TOKEN_LIKE = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

function describe(parse: Parse, options: RequestOptions): RecordedRequest {
  const route = String(options.url ?? '');
  let method = String(options.method ?? 'GET').toUpperCase();
  let url = route;
  let body: unknown;
  try {
    const parsed = parse(options);
    {
      method = parsed.method;
      url = parsed.url;
      body = parsed.body;
    }
  } catch {
    // Unparsable options: the route template is still worth recording.
  }
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // keep the string
    }
  }
  const rec: RecordedRequest = { method, route, url: url.replace(TOKEN_LIKE, '[redacted]') };
  if (body !== undefined) rec.body = body;
  return rec;
}

/** Installs the recorder on an Octokit instance; returns the octokit for chaining. */
export function recordRequests<O extends { hook: object; request: object }>(client: O, file: string): O {
  // Octokit's hook types are generic over every plugin combination; this is the shape it calls us with.
  const octokit = client as unknown as HookableOctokit;
  octokit.hook.wrap('request', async (request, options) => {
    const rec = describe((o) => (octokit.request.endpoint.parse as unknown as Parse)(o), options);
    try {
      const res = await request(options);
      rec.status = res?.status;
      return res;
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number') rec.status = status;
      throw err;
    } finally {
      // The body is data we sent (GraphQL query and variables, or a JSON body): serialise, minus tokens.
      appendFileSync(file, JSON.stringify(rec).replace(TOKEN_LIKE, '[redacted]') + '\n');
    }
  });
  return client;
}

/** Installs the recorder when PIPELINE_GUARD_RECORD names a file. */
export function recordFromEnv<O extends { hook: object; request: object }>(octokit: O, env: NodeJS.ProcessEnv = process.env): O {
  const file = env.PIPELINE_GUARD_RECORD;
  return file ? recordRequests(octokit, file) : octokit;
}
