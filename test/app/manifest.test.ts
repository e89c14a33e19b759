import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);
const manifest = parse(readFileSync(new URL('app.yml', root), 'utf8')) as { default_events: string[]; default_permissions: Record<string, string> };

/** The App permission each route the app calls needs (github-api.md §2). */
const ROUTE_PERMISSIONS: Record<string, [string, 'read' | 'write']> = {
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': ['checks', 'read'],
  'POST /repos/{owner}/{repo}/check-runs': ['checks', 'write'],
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': ['checks', 'write'],
  'GET /repos/{owner}/{repo}/check-runs/{check_run_id}': ['checks', 'read'],
  'GET /repos/{owner}/{repo}/contents/{path}': ['contents', 'read'],
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': ['pull_requests', 'read'],
  'GET /repos/{owner}/{repo}': ['metadata', 'read'],
  'GET /repos/{owner}/{repo}/git/ref/{ref}': ['contents', 'read'],
  // The deployment gate (app/gate).
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule': ['deployments', 'write'],
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments': ['actions', 'read'],
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': ['actions', 'read'],
  'GET /repos/{owner}/{repo}/attestations/{subject_digest}': ['attestations', 'read'],
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': ['actions', 'read'],
  // Sweeps, the weekly issue and the `/pipeline-guard sweep` command (app/sweep, publish/weekly-issue).
  'GET /installation/repositories': ['metadata', 'read'],
  'GET /orgs/{org}/memberships/{username}': ['members', 'read'],
  'POST /repos/{owner}/{repo}/issues': ['issues', 'write'],
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}': ['issues', 'write'],
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': ['issues', 'write'],
  'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions': ['issues', 'write'],
  'POST /repos/{owner}/{repo}/labels': ['issues', 'write'],
  'GET /search/issues': ['pull_requests', 'read'],
  'GET /orgs/{org}/actions/permissions': ['organization_administration', 'read'],
  'GET /orgs/{org}/actions/secrets': ['organization_secrets', 'read'],
  // Fix-up pull requests (app/fix, publish/fix-pr).
  'POST /repos/{owner}/{repo}/git/trees': ['contents', 'write'],
  'POST /repos/{owner}/{repo}/git/commits': ['contents', 'write'],
  'POST /repos/{owner}/{repo}/git/refs': ['workflows', 'write'],
  'PATCH /repos/{owner}/{repo}/git/refs/{ref}': ['workflows', 'write'],
  'POST /repos/{owner}/{repo}/pulls': ['pull_requests', 'write'],
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': ['pull_requests', 'write'],
};

describe('app.yml', () => {
  test('least privilege: administration is read only; write only where a feature writes', () => {
    const p = manifest.default_permissions;
    expect(p.administration).toBe('read');
    expect(p.organization_administration).toBe('read');
    const writes = Object.entries(p).filter(([, v]) => v !== 'read').map(([k]) => k).sort();
    expect(writes).toEqual(['checks', 'contents', 'deployments', 'issues', 'pull_requests', 'workflows']);
  });

  test('every route the app calls is covered by a granted permission', () => {
    const rank = { read: 1, write: 2 } as const;
    for (const [route, [perm, level]] of Object.entries(ROUTE_PERMISSIONS)) {
      const granted = manifest.default_permissions[perm] as 'read' | 'write' | undefined;
      expect(granted, `${route} needs ${perm}: ${level}`).toBeDefined();
      expect(rank[granted!], route).toBeGreaterThanOrEqual(rank[level]);
    }
  });

  test('subscribes to every event the app handles (installation events are always delivered)', () => {
    for (const e of ['push', 'pull_request', 'check_run', 'branch_protection_rule', 'branch_protection_configuration', 'repository_ruleset', 'repository', 'deployment_protection_rule', 'issue_comment']) {
      expect(manifest.default_events).toContain(e);
    }
    expect(manifest.default_events).not.toContain('installation');
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('.env.example', root), 'utf8');
  test.each(['APP_ID', 'PRIVATE_KEY', 'PRIVATE_KEY_PATH', 'WEBHOOK_SECRET', 'WEBHOOK_PROXY_URL', 'PORT', 'LOG_LEVEL', 'GHE_HOST', 'GHE_PROTOCOL', 'PIPELINE_GUARD_RECORD', 'REDIS_URL', 'PIPELINE_GUARD_CONCURRENCY', 'APP_SLUG'])(
    '%s is listed with a comment and no value that looks like a secret',
    (name) => {
      const lines = text.split('\n');
      const i = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(i).toBeGreaterThan(0);
      expect(lines[i - 1].startsWith('#')).toBe(true);
      expect(lines[i]).not.toMatch(/BEGIN|gh[pousr]_/);
    },
  );
});
