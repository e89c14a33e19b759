/**
 * Contract tests against GitHub's own descriptions: every request the code sends is checked against
 * the REST OpenAPI description (@octokit/openapi, api.github.com, default API version) and every
 * GraphQL document against the published schema (@octokit/graphql-schema). Reply fixtures written for
 * nock are validated against the operation's response schema, so fakes cannot drift from GitHub.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Octokit } from '@octokit/core';
import { validate as validateGraphql } from '@octokit/graphql-schema';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);

/** The GitHub REST description; the `$ref` form (13 MB) rather than the 73 MB dereferenced copy: same paths. */
const SPEC_PATH = require.resolve('@octokit/openapi/generated/api.github.com.json');

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Record<string, unknown>;
  $ref?: string;
}

interface Operation {
  operationId: string;
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface Spec {
  examples?: never;
  paths: Record<string, Record<string, Operation>>;
  components: { examples: Record<string, { value: unknown }>; parameters: Record<string, Parameter>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}

let spec: Spec | undefined;
function loadSpec(): Spec {
  spec ??= untypedNullables(JSON.parse(readFileSync(SPEC_PATH, 'utf8'))) as Spec;
  return spec;
}

/**
 * OpenAPI 3.0 `nullable: true` next to `allOf`/`$ref` and no `type` (GitHub's ruleset `conditions`, for
 * one) makes Ajv refuse to compile the schema. Rewrite those as "the schema, or null", which is what
 * the description means.
 */
function untypedNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(untypedNullables);
  if (typeof node !== 'object' || node === null) return node;
  const obj = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, untypedNullables(v)])) as Record<string, unknown>;
  if (obj.nullable === true && obj.type === undefined) {
    const { nullable: _nullable, description, ...rest } = obj;
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: 'null' }] };
  }
  return obj;
}

const ajvs = new Map<boolean, Ajv>();
const validators = new Map<string, ValidateFunction>();
function ajvFor(coerce: boolean): Ajv {
  let a = ajvs.get(coerce);
  if (!a) {
    // ajv-formats ships CJS with a default export; under NodeNext the callable is on `.default`.
    const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (x: Ajv) => void;
    a = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce });
    addFormats(a);
    a.addSchema({ $id: 'gh', components: loadSpec().components });
    ajvs.set(coerce, a);
  }
  return a;
}
function compile(key: string, schema: unknown, coerce = false): ValidateFunction {
  const cacheKey = `${coerce ? 'c:' : ''}${key}`;
  let v = validators.get(cacheKey);
  if (v) return v;
  // Operation schemas point at `#/components/...` of the spec: re-anchor them on the `gh` schema.
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/')) as object;
  v = ajvFor(coerce).compile(rewritten);
  validators.set(cacheKey, v);
  return v;
}

function errorsOf(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join(', ');
}

function resolveParam(p: Parameter): Parameter {
  if (!p.$ref) return p;
  const name = p.$ref.replace('#/components/parameters/', '');
  return loadSpec().components.parameters[name];
}

/** A named example from the description (`components.examples`), e.g. `full-repository-default-response`. */
export function specExample(name: string): Record<string, unknown> {
  const ex = loadSpec().components.examples[name];
  if (!ex) throw new Error(`no example ${name} in the GitHub description`);
  return structuredClone(ex.value) as Record<string, unknown>;
}

export function operation(method: string, template: string): Operation | undefined {
  return loadSpec().paths[template]?.[method.toLowerCase()];
}

/** Octokit's own option keys, which never become URL parameters. */
const OCTOKIT_KEYS = new Set(['method', 'url', 'baseUrl', 'headers', 'request', 'mediaType', 'data']);

export interface SentRequest {
  method: string;
  /** Route template, e.g. `/repos/{owner}/{repo}/git/trees/{tree_sha}` (`/graphql` for GraphQL). */
  route: string;
  url: string;
  body?: unknown;
}

/** Checks one request's options (as Octokit's `hook.before('request')` sees them); returns violations. */
export function checkRequest(options: Record<string, unknown>, parsed: { method: string; url: string; body?: unknown }): string[] {
  const method = String(options.method ?? 'GET').toUpperCase();
  const route = String(options.url ?? '');
  const label = `${method} ${route}`;
  const out: string[] = [];
  if (route === '/graphql') {
    const body = parsed.body as { query?: string; variables?: Record<string, unknown> } | undefined;
    const query = String(body?.query ?? (options as { query?: string }).query ?? '');
    for (const e of validateGraphql(query)) out.push(`${label}: ${e.message}`);
    const vars = { ...(body?.variables ?? {}), ...Object.fromEntries(Object.entries(options).filter(([k]) => !OCTOKIT_KEYS.has(k) && k !== 'query')) };
    for (const m of query.matchAll(/\$(\w+)\s*:\s*[\w[\]]+!/g)) {
      if (vars[m[1]] === undefined || vars[m[1]] === null) out.push(`${label}: required variable $${m[1]} not provided`);
    }
    return out;
  }
  const op = operation(method, route);
  if (!op) return [`${label}: not an operation of the GitHub REST API`];
  if (op.deprecated) out.push(`${label}: deprecated operation ${op.operationId}`);
  const params = (op.parameters ?? []).map(resolveParam);
  const known = new Set(params.map((p) => p.name));
  const query = new URL(parsed.url).searchParams;
  for (const p of params) {
    if (p.in === 'path') {
      if (!route.includes(`{${p.name}}`)) out.push(`${label}: path parameter ${p.name} missing from the route`);
      else if (options[p.name] === undefined || options[p.name] === '') out.push(`${label}: path parameter ${p.name} has no value`);
    } else if (p.in === 'query') {
      const value = query.get(p.name);
      if (value === null) {
        if (p.required) out.push(`${label}: required query parameter ${p.name} missing`);
      } else if (p.schema) {
        const v = compile(`${op.operationId}:q:${p.name}`, { type: 'object', properties: { value: p.schema } }, true);
        if (!v({ value })) out.push(`${label}: query parameter ${p.name}=${value}: ${errorsOf(v)}`);
      }
    }
  }
  for (const m of route.matchAll(/\{(\w+)\}/g)) if (!known.has(m[1])) out.push(`${label}: {${m[1]}} is not a parameter of ${op.operationId}`);
  if (method === 'GET' || method === 'HEAD') {
    for (const k of Object.keys(options)) {
      if (!OCTOKIT_KEYS.has(k) && !known.has(k)) out.push(`${label}: unknown parameter ${k}`);
    }
  }
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (bodySchema && parsed.body !== undefined) {
    const v = compile(`${op.operationId}:body`, bodySchema);
    if (!v(parsed.body)) out.push(`${label}: request body: ${errorsOf(v)}`);
  } else if (op.requestBody?.required && parsed.body === undefined) out.push(`${label}: request body required`);
  return out;
}

/** Validates a reply body written for nock against the operation's response schema for `status`. */
export function responseViolations(method: string, route: string, status: number, body: unknown): string[] {
  const op = operation(method, route);
  if (!op) return [`${method} ${route}: not an operation of the GitHub REST API`];
  let res = op.responses[String(status)];
  if (!res && status >= 400) {
    // Errors GitHub sends without documenting them per operation (403 of a missing permission...) use basic-error.
    const v = compile('basic-error', { $ref: '#/components/schemas/basic-error' });
    return v(body) ? [] : [`${method} ${route} ${status} reply: ${errorsOf(v)}`];
  }
  if (!res) return [`${method} ${route}: GitHub documents no ${status} response`];
  if (res.$ref) res = loadSpec().components.responses[res.$ref.replace('#/components/responses/', '')];
  const schema = res.content?.['application/json']?.schema;
  if (!schema) return [];
  const v = compile(`${op.operationId}:res:${status}`, schema);
  return v(body) ? [] : [`${method} ${route} ${status} reply: ${errorsOf(v)}`];
}

export interface Contract {
  octokit: Octokit;
  /** Every request sent, in order. */
  sent: SentRequest[];
  /** Requests GitHub's descriptions say it would reject. */
  violations: string[];
}

/**
 * A plain @octokit/core client (no retry, no throttling) whose every request is checked.
 * `auth` is a fake installation token.
 */
export function contractOctokit(auth = 'ghs_contractTestToken000000000000000000'): Contract {
  const octokit = new Octokit({ auth });
  const sent: SentRequest[] = [];
  const violations: string[] = [];
  octokit.hook.before('request', (options) => {
    const opts = options as unknown as Record<string, unknown>;
    let parsed: { method: string; url: string; body?: unknown };
    try {
      parsed = octokit.request.endpoint.parse(options) as { method: string; url: string; body?: unknown };
    } catch (err) {
      violations.push(`cannot build request ${String(opts.method)} ${String(opts.url)}: ${(err as Error).message}`);
      return;
    }
    let body = parsed.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON
      }
    }
    sent.push({ method: parsed.method, route: String(opts.url), url: parsed.url, ...(body !== undefined ? { body } : {}) });
    violations.push(...checkRequest(opts, { ...parsed, body }));
  });
  return { octokit, sent, violations };
}
