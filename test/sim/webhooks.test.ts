import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookViolations } from '../app/helpers.js';
import { GitHubSimulator, installationCreatedEvent, issueCommentCreatedEvent, pushEvent, rulesetEditedEvent } from '../../src/sim/index.js';
import { acme } from './fixtures.js';

let sim: GitHubSimulator;
beforeAll(async () => {
  sim = new GitHubSimulator({ webhookSecret: 'sim-secret' });
  await sim.start();
  acme(sim);
});
afterAll(async () => {
  await sim.stop();
});

describe('simulator webhooks', () => {
  it('builds payloads from the state that match GitHub\'s webhook schema', () => {
    const ml = sim.repo('acme', 'ml')!;
    const head = sim.content(ml)!.refs.get('refs/heads/main')!;
    const push = pushEvent(sim, ml, { before: '0'.repeat(40), after: head });
    expect(webhookViolations('push', push.payload)).toEqual([]);
    // The schema check is not vacuous: a push without its pusher is refused.
    const { pusher: _p, ...noPusher } = push.payload;
    expect(webhookViolations('push', noPusher).join()).toMatch(/pusher/);
    expect(push.payload).toMatchObject({ ref: 'refs/heads/main', after: head, created: true, head_commit: { id: head, message: 'Initial commit' }, installation: { id: 77 } });
    const inst = installationCreatedEvent(sim, sim.installations.get(77)!);
    expect(webhookViolations('installation-created', inst.payload)).toEqual([]);
    expect((inst.payload.repositories as { full_name: string }[]).map((r) => r.full_name)).toEqual(['acme/ml', 'acme/private-ml', 'acme/empty']);
    const ruleset = rulesetEditedEvent(sim, ml, sim.org('acme')!.rulesets[0], { enforcement: { from: 'evaluate' } });
    expect(webhookViolations('repository-ruleset-edited', ruleset.payload)).toEqual([]);
    const issue = { number: 1, id: 5, title: 'Weekly', body: null, state: 'open' as const, state_reason: null, labels: [], user: 'pipeline-guard[bot]', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', closed_at: null, comments: [{ id: 9, body: '/pipeline-guard recheck', user: 'dev-1', created_at: '2026-01-02T00:00:00Z', updated_at: '2026-01-02T00:00:00Z' }] };
    ml.issues.push(issue);
    const comment = issueCommentCreatedEvent(sim, ml, issue, issue.comments[0]);
    expect(webhookViolations('issue-comment-created', comment.payload)).toEqual([]);
    expect(comment.payload).toMatchObject({ comment: { body: '/pipeline-guard recheck', user: { login: 'dev-1' } } });
  });

  it('returns the event without a URL, and signs and POSTs it with one', async () => {
    const ml = sim.repo('acme', 'ml')!;
    const head = sim.content(ml)!.refs.get('refs/heads/main')!;
    const event = pushEvent(sim, ml, { before: '0'.repeat(40), after: head });
    expect(await sim.deliver(event)).toEqual({ event });

    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const target = new GitHubSimulator({ webhookSecret: 'sim-secret', webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/api/github/webhooks` });
    const out = await target.deliver(event);
    await new Promise<void>((r) => hook.close(() => r()));
    expect(out.status).toBe(202);
    expect(received).toHaveLength(1);
    expect(received[0].headers).toMatchObject({ 'x-github-event': 'push', 'x-github-delivery': event.id, 'content-type': 'application/json' });
    expect(await verify('sim-secret', received[0].body, String(received[0].headers['x-hub-signature-256']))).toBe(true);
    expect(await verify('other-secret', received[0].body, String(received[0].headers['x-hub-signature-256']))).toBe(false);
    expect(JSON.parse(received[0].body)).toEqual(event.payload);
  });
});
