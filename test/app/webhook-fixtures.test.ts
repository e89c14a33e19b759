import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixtureText, schemaKeyOf, webhookViolations } from './helpers.js';

const files = readdirSync(new URL('../../fixtures/webhooks/', import.meta.url)).filter((f) => f.endsWith('.json'));

describe('webhook fixtures follow GitHub’s official webhook schema', () => {
  test('every event the app handles has a fixture', () => {
    const keys = new Set(files.map(schemaKeyOf));
    for (const k of [
      'push', 'pull-request-opened', 'pull-request-synchronize', 'pull-request-reopened', 'check-run-rerequested', 'check-run-requested-action',
      'branch-protection-rule-edited', 'branch-protection-configuration-disabled', 'repository-ruleset-edited', 'repository-edited',
      'repository-publicized', 'repository-privatized', 'installation-created', 'installation-new-permissions-accepted', 'installation-repositories-added',
      'deployment-protection-rule-requested', 'issue-comment-created',
    ]) expect(keys, k).toContain(k);
  });

  test.each(files)('%s', (file) => {
    const payload = JSON.parse(fixtureText(file)) as { action?: string };
    expect(webhookViolations(schemaKeyOf(file), payload)).toEqual([]);
    const [event, action] = file.split('.');
    if (event !== 'push') expect(payload.action).toBe(action);
  });

  test('the validator rejects a payload GitHub would not send', () => {
    const payload = JSON.parse(fixtureText('push.default-branch.json')) as Record<string, unknown>;
    delete payload.after;
    expect(webhookViolations('push', payload).join('\n')).toMatch(/after/);
    const pr = JSON.parse(fixtureText('pull_request.opened.json')) as { pull_request: { head: { sha: unknown } } };
    pr.pull_request.head.sha = 42;
    expect(webhookViolations('pull-request-opened', pr)).not.toEqual([]);
  });
});
