/**
 * Shared setup for the app tests: webhook fixtures validated against GitHub's official webhook
 * schema, a Probot whose every request is checked against GitHub's REST description (the contract
 * helper), a fake collector and fake checks with chosen findings.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Probot, ProbotOctokit } from 'probot';
import type { EmitterWebhookEvent, EmitterWebhookEventName } from '@octokit/webhooks';
import { afterEach, beforeEach, vi } from 'vitest';
import { checkRequest, type SentRequest } from '../helpers/github-contract.js';
import { useSimulatedGitHub } from '../helpers/github-repo.js';
import { checkById } from '../../src/checks/registry.js';
import type { Check } from '../../src/checks/types.js';
import type { FindingDraft } from '../../src/model/types.js';
import type { RepoSnapshot } from '../../src/model/snapshot.js';
import { createApp, type AppDeps, type AppJob } from '../../src/app/index.js';
import { InProcessQueue, type JobQueue } from '../../src/queue/index.js';

const require = createRequire(import.meta.url);
const FIXTURES = new URL('../../fixtures/webhooks/', import.meta.url);

export const OWNER = 'acme-ml';
export const REPO = 'trainer';
export const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const APP_ID = 99;
export const API = 'https://api.github.com';

/** The webhook schema key of a fixture file: `pull_request.opened.json` → `pull-request-opened`. */
export function schemaKeyOf(file: string): string {
  const [event, action] = file.replace(/\.json$/, '').split('.');
  const base = event.replaceAll('_', '-');
  return event === 'push' ? base : `${base}-${action.replaceAll('_', '-')}`;
}

interface WebhookSpec {
  webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: unknown } } } } }>;
  components: unknown;
}
let webhookSpec: WebhookSpec | undefined;
let webhookAjv: Ajv2020 | undefined;
const webhookValidators = new Map<string, ValidateFunction>();

/** Violations of the official webhook schema (@octokit/openapi-webhooks, api.github.com). */
export function webhookViolations(schemaKey: string, payload: unknown): string[] {
  webhookSpec ??= JSON.parse(readFileSync(require.resolve('@octokit/openapi-webhooks/generated/api.github.com.json'), 'utf8')) as WebhookSpec;
  const hook = webhookSpec.webhooks[schemaKey];
  if (!hook) return [`no webhook schema named ${schemaKey}`];
  let v = webhookValidators.get(schemaKey);
  if (!v) {
    if (!webhookAjv) {
      // OpenAPI 3.1 schemas are JSON Schema 2020-12. ajv-formats is CJS: the callable is on `.default`.
      const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (x: Ajv2020) => void;
      webhookAjv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(webhookAjv);
      webhookAjv.addSchema({ $id: 'wh', components: webhookSpec.components });
    }
    const schema = JSON.parse(JSON.stringify(hook.post.requestBody.content['application/json'].schema).replaceAll('"#/components/', '"wh#/components/')) as object;
    v = webhookAjv.compile(schema);
    webhookValidators.set(schemaKey, v);
  }
  return v(payload) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

export function fixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURES), 'utf8');
}

/** A webhook event from a fixture; throws if the fixture breaks GitHub's schema. */
export function webhook<E extends EmitterWebhookEventName>(name: E, file: string, id = 'delivery-1'): EmitterWebhookEvent<E> {
  const payload = JSON.parse(fixtureText(file)) as unknown;
  const violations = webhookViolations(schemaKeyOf(file), payload);
  if (violations.length > 0) throw new Error(`${file} breaks the webhook schema: ${violations.join('; ')}`);
  const event = name.split('.')[0];
  return { id, name: event, payload } as unknown as EmitterWebhookEvent<E>;
}

export interface Harness {
  probot: Probot;
  sent: SentRequest[];
  violations: string[];
  /** The app's job queue (in-process, one attempt, unless `deps.queue` was given). */
  queue: JobQueue<AppJob>;
  /** Probot's own `receive`: runs the handlers (which enqueue) without waiting for the queue. */
  deliver: Probot['receive'];
}

/**
 * A ProbotOctokit class with retry (unless `retry` is given) and throttling off that records every
 * request into `sent` and its violations of GitHub's REST description into `violations`.
 */
export function checkedProbotOctokit(sent: SentRequest[], violations: string[], retry: Record<string, unknown> = { enabled: false }): typeof ProbotOctokit {
  const contract = (octokit: InstanceType<typeof ProbotOctokit>): void => {
    octokit.hook.before('request', (options) => {
      const o = options as unknown as Record<string, unknown>;
      const parsed = octokit.request.endpoint.parse(options) as { method: string; url: string; body?: unknown };
      let body = parsed.body;
      if (typeof body === 'string') body = JSON.parse(body);
      sent.push({ method: parsed.method, route: String(o.url), url: parsed.url, ...(body !== undefined ? { body } : {}) });
      violations.push(...checkRequest(o, { ...parsed, body }));
    });
  };
  // The callback form: Probot's own defaults would otherwise re-enable throttling (github-api.md §0.3).
  // The plugin type is generic over every Octokit; ours only needs the instance it is given.
  const Octokit = ProbotOctokit.plugin(contract as unknown as Parameters<typeof ProbotOctokit.plugin>[0]).defaults((o: Record<string, unknown>) => ({
    ...o,
    retry,
    throttle: { enabled: false },
  }));
  return Octokit as typeof ProbotOctokit;
}

/**
 * Probot with retry/throttle off (unless `retry` is given) and every request checked against the contract.
 * The handlers only enqueue: `probot.receive()` here also waits until the app's queue is idle, so a test
 * that awaits it sees the audit's requests, as before the queue existed.
 */
export async function makeProbot(deps: AppDeps, opts: { retry?: Record<string, unknown> } = {}): Promise<Harness> {
  const sent: SentRequest[] = [];
  const violations: string[] = [];
  const probot = new Probot({ githubToken: 'test', logLevel: 'fatal', Octokit: checkedProbotOctokit(sent, violations, opts.retry) });
  const queue = deps.queue ?? new InProcessQueue<AppJob>('test', { attempts: 1, backoffMs: 0 });
  await probot.load(createApp({ appId: APP_ID, now: () => new Date('2026-11-27T12:00:00Z'), ...deps, queue }));
  const receive = probot.receive.bind(probot);
  probot.receive = async (event) => {
    await receive(event);
    await queue.whenIdle({ timeoutMs: 20_000 });
  };
  return { probot, sent, violations, queue, deliver: receive };
}

/**
 * For a test file that makes several Probots: the simulated GitHub (nock) with the request contract
 * violations of every Probot the returned function made in the test checked after it, and vi mocks
 * restored. The list is cleared before each test, not after: vitest runs afterEach hooks last
 * registered first, so clearing it there would empty it before useSimulatedGitHub's check reads it.
 */
export function useAppHarnesses(): (...args: Parameters<typeof makeProbot>) => Promise<Harness> {
  let harnesses: Harness[] = [];
  beforeEach(() => {
    harnesses = [];
  });
  useSimulatedGitHub(() => harnesses.flatMap((h) => h.violations));
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return async (...args) => {
    const h = await makeProbot(...args);
    harnesses.push(h);
    return h;
  };
}

const enc = new TextEncoder();

/** A collector that returns these files (and records the targets it was asked for). */
export function fakeCollector(files: Record<string, string>, calls: unknown[] = []): NonNullable<AppDeps['collect']> {
  return async (_octokit, target) => {
    calls.push(target);
    const snapshot: RepoSnapshot = {
      source: 'github',
      repo: { owner: target.owner, name: target.repo, defaultBranch: 'main' },
      ref: target.ref,
      files: Object.entries(files).map(([path, text]) => ({ path, size: enc.encode(text).length, bytes: enc.encode(text) })),
      warnings: [],
    };
    return snapshot;
  };
}

/** A check with the meta of a real check id (so policies may name it) that reports the given findings. */
export function fakeCheck(id: string, drafts: FindingDraft[]): Check {
  const real = checkById(id);
  if (!real) throw new Error(`unknown check ${id}`);
  return { meta: real.meta, run: () => drafts };
}

export function draft(path: string, line: number, severity: FindingDraft['severity'], message = 'something is wrong here', extra: Partial<FindingDraft> = {}): FindingDraft {
  return { path, severity, message, region: { line, column: 3, endLine: line, endColumn: 20 }, ...extra };
}

/** A `GET …/pulls/{n}/files` reply entry whose patch adds `lines` (1-based) to a new file. */
export function addedFile(filename: string, lines: number[]): { filename: string; status: string; patch: string } & Record<string, unknown> {
  const max = Math.max(...lines);
  const body: string[] = [];
  for (let l = 1; l <= max; l++) body.push(lines.includes(l) ? `+line ${l}` : ` line ${l}`);
  return {
    sha: 'bbcd538c8e72b8c175046e27cc8f907076331401',
    filename,
    status: 'modified',
    additions: lines.length,
    deletions: 0,
    changes: lines.length,
    blob_url: `https://github.com/${OWNER}/${REPO}/blob/${HEAD}/${filename}`,
    raw_url: `https://github.com/${OWNER}/${REPO}/raw/${HEAD}/${filename}`,
    contents_url: `${API}/repos/${OWNER}/${REPO}/contents/${filename}?ref=${HEAD}`,
    patch: `@@ -1,${max - lines.length} +1,${max} @@\n${body.join('\n')}`,
  };
}

/** A check run as `POST /check-runs` or the list endpoint returns it (enough fields for the schema). */
export function checkRunReply(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    head_sha: HEAD,
    node_id: 'CR_kwDOABCD',
    external_id: '',
    url: `${API}/repos/${OWNER}/${REPO}/check-runs/${id}`,
    html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}`,
    details_url: null,
    status: 'in_progress',
    conclusion: null,
    started_at: '2026-11-27T12:00:00Z',
    completed_at: null,
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${API}/repos/${OWNER}/${REPO}/check-runs/${id}/annotations` },
    name: 'Pipeline Guard',
    check_suite: { id: 5 },
    app: null,
    pull_requests: [],
    ...extra,
  };
}
