/**
 * The unpinned-action, static-cloud-credentials and publish-token-not-oidc fixes: exact resulting
 * text, idempotence (fixing the fixed file changes nothing), untouched lines byte-identical, the
 * draft flag and notes, and the refusals (ambiguous or unresolved refs, no token, composite actions,
 * reusable workflows, no decidable permissions).
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, CHECK_IDS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { applyFixes } from '../../src/fixes/engine.js';
import { pinKey, type PinResolution } from '../../src/fixes/pins.js';
import type { FixOptions } from '../../src/fixes/types.js';
import { emptyPolicy, parsePolicy, type Policy } from '../../src/policy/config.js';
import { oneFileSnapshot } from './snapshot.js';

const PATH = '.github/workflows/w.yml';
const SHA_A = '8e8c483db84b4bee98b60c0593521ed34d9990e8';
const SHA_B = '11bd71901bbe5b1630ceea73d27597364c9af683';

function fix(text: string, kinds: string[], options: FixOptions = {}, policy: Policy = emptyPolicy(), path = PATH, role: 'workflow' | 'action' = 'workflow') {
  const s = oneFileSnapshot(text, path, role);
  const findings = scanSnapshot(s, ALL_CHECKS, policy).findings;
  const [o] = applyFixes(s, findings, policy, kinds, options);
  return { o, findings: findings.filter((f) => kinds.includes(f.checkId)) };
}

/** Fixing twice changes nothing the second time. */
function expectIdempotent(text: string, kinds: string[], options: FixOptions = {}, policy: Policy = emptyPolicy()): void {
  const s = oneFileSnapshot(text);
  const again = applyFixes(s, scanSnapshot(s, ALL_CHECKS, policy).findings, policy, kinds, options);
  expect(again.every((o) => o.status !== 'fixed' && o.text === text)).toBe(true);
}

/** Every line of `before` not listed in `edited` is still in `after`, in order, byte for byte. */
function expectRestKept(before: string, after: string, edited: RegExp): void {
  const kept = before.split('\n').filter((l) => !edited.test(l));
  let at = 0;
  const lines = after.split('\n');
  for (const l of kept) {
    const i = lines.indexOf(l, at);
    expect(i, `line kept: ${l}`).toBeGreaterThanOrEqual(0);
    at = i + 1;
  }
}

const pins = (entries: [string, string, string, PinResolution][]): Map<string, PinResolution> =>
  new Map(entries.map(([o, r, ref, p]) => [pinKey(o, r, ref), p]));

describe('unpinned-action fix', () => {
  const WF = `name: ci
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # fetch the code
      - uses: actions/checkout@v4 # old comment
        with:
          persist-credentials: false
      - uses: "astral-sh/setup-uv@v5"
      - uses: github/codeql-action/init@v3
      - uses: actions/setup-python@${SHA_B} # v5.3.0
`;
  const resolved = pins([
    ['actions', 'checkout', 'v4', { status: 'pinned', sha: SHA_A, tag: 'v4.2.2', from: 'tag' }],
    ['Astral-SH', 'setup-uv', 'v5', { status: 'pinned', sha: SHA_B, tag: 'v5.4.1', from: 'tag' }],
    ['github', 'codeql-action', 'v3', { status: 'pinned', sha: SHA_A, tag: 'v3.28.0', from: 'tag' }],
  ]);

  it('pins each ref to its SHA with the most specific tag as comment, keeping quotes, sub-paths and the rest', () => {
    const { o, findings } = fix(WF, ['unpinned-action'], { pins: resolved });
    expect(findings).toHaveLength(3);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`name: ci
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # fetch the code
      - uses: actions/checkout@${SHA_A} # v4.2.2
        with:
          persist-credentials: false
      - uses: "astral-sh/setup-uv@${SHA_B}" # v5.4.1
      - uses: github/codeql-action/init@${SHA_A} # v3.28.0
      - uses: actions/setup-python@${SHA_B} # v5.3.0
`);
    expect(o.applied).toEqual([{ checkId: 'unpinned-action', findings: 3 }]);
    expect(o.draft).toBeUndefined();
    expectRestKept(WF, o.text, /uses: .*@v\d/);
    expectIdempotent(o.text, ['unpinned-action'], { pins: resolved });
  });

  it('keeps CRLF line breaks and a suppression comment of another check', () => {
    const text = WF.replace('# old comment', '# pipeline-guard: ignore[known-compromised-action] vetted').replace(/\n/g, '\r\n');
    const { o } = fix(text, ['unpinned-action'], { pins: resolved });
    expect(o.status).toBe('fixed');
    expect(o.text).toContain(`- uses: actions/checkout@${SHA_A} # v4.2.2 # pipeline-guard: ignore[known-compromised-action] vetted\r\n`);
    expect(o.text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('pins reusable-workflow calls and composite-action steps', () => {
    const call = `on: push
permissions: {}
jobs:
  release:
    uses: acme/shared/.github/workflows/release.yml@v2
`;
    const p = pins([['acme', 'shared', 'v2', { status: 'pinned', sha: SHA_B, tag: 'v2.0.1', from: 'tag' }]]);
    const { o } = fix(call, ['unpinned-action'], { pins: p });
    expect(o.status).toBe('fixed');
    expect(o.text).toContain(`    uses: acme/shared/.github/workflows/release.yml@${SHA_B} # v2.0.1\n`);
    const action = `name: setup
runs:
  using: composite
  steps:
    - uses: actions/checkout@v4
`;
    const a = fix(action, ['unpinned-action'], { pins: resolved }, emptyPolicy(), 'action.yml', 'action');
    expect(a.o.status).toBe('fixed');
    expect(a.o.text).toBe(action.replace('actions/checkout@v4', `actions/checkout@${SHA_A} # v4.2.2`));
  });

  it('pins a branch ref at its head and says a tag would be better', () => {
    const text = `on: push
permissions: {}
jobs:
  b:
    runs-on: ubuntu-latest
    steps:
      - uses: ultralytics/actions@main
`;
    const { o } = fix(text, ['unpinned-action'], { pins: pins([['ultralytics', 'actions', 'main', { status: 'pinned', sha: SHA_B, from: 'branch' }]]) });
    expect(o.text).toContain(`- uses: ultralytics/actions@${SHA_B} # main\n`);
    expect(o.notes.join('\n')).toMatch(/from branch "main" to its current head 11bd71901bbe; a release tag would be a better anchor/);
  });

  it('leaves ambiguous, unresolved and unknown refs as they are, with the reason', () => {
    const p = pins([
      ['actions', 'checkout', 'v4', { status: 'ambiguous', reason: '"v4" is both a tag and a branch of actions/checkout; pin the one you mean by hand' }],
      ['astral-sh', 'setup-uv', 'v5', { status: 'unresolved', reason: 'astral-sh/setup-uv has no tag or branch named "v5"' }],
    ]);
    const { o } = fix(WF, ['unpinned-action'], { pins: p });
    expect(o.status).toBe('unchanged');
    expect(o.text).toBe(WF);
    const notes = o.notes.join('\n');
    expect(notes).toContain('actions/checkout@v4 not pinned: "v4" is both a tag and a branch');
    expect(notes).toContain('astral-sh/setup-uv@v5 not pinned: astral-sh/setup-uv has no tag or branch named "v5"');
    expect(notes).toContain('github/codeql-action/init@v3 was not resolved');
  });

  it('leaves a uses: under a YAML anchor to a human (its aliases would change too)', () => {
    const text = `on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - &checkout { uses: "actions/checkout@v4" }
      - *checkout
`;
    const { o } = fix(text, ['unpinned-action'], { pins: resolved });
    expect(o.status).toBe('unchanged');
    expect(o.text).toBe(text);
    expect(o.notes.join('\n')).toContain('actions/checkout sits under a YAML anchor');
  });

  it('without pins, nothing changes and one note says a token is needed', () => {
    const { o } = fix(WF, ['unpinned-action']);
    expect(o.status).toBe('unchanged');
    expect(o.notes).toEqual([`${PATH}: unpinned-action: 3 reference(s) not pinned: pinning needs a GitHub token (--token or GITHUB_TOKEN).`]);
  });
});

const AWS = `name: deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@${SHA_A} # v4.2.2
      # credentials for the model bucket
      - uses: aws-actions/configure-aws-credentials@${SHA_B} # v4.1.0
        with:
          aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
      - run: aws s3 cp model.pt s3://models/
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
`;

function policyOf(yaml: string): Policy {
  return parsePolicy(yaml, 'p.yml', CHECK_IDS);
}

describe('static-cloud-credentials fix', () => {
  it('AWS without a policy role: role-to-assume placeholder, id-token on that job only, a draft with the trust-policy steps', () => {
    const { o, findings } = fix(AWS, ['static-cloud-credentials'], { repository: 'acme/ml' });
    expect(findings).toHaveLength(1);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`name: deploy
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write # pipeline-guard: OIDC login to AWS
    environment: production
    steps:
      - uses: actions/checkout@${SHA_A} # v4.2.2
      # credentials for the model bucket
      - uses: aws-actions/configure-aws-credentials@${SHA_B} # v4.1.0
        with:
          role-to-assume: \${{ vars.AWS_ROLE_ARN }} # pipeline-guard: TODO set this variable (see the PR notes)
          aws-region: eu-west-1
      - run: aws s3 cp model.pt s3://models/
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
`);
    expect(o.draft).toBe(true);
    const note = o.notes.join('\n');
    expect(note).toContain('"token.actions.githubusercontent.com:sub" = "repo:acme/ml:environment:production"');
    expect(note).toContain('"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"');
    expect(note).toContain('Set the repository variable AWS_ROLE_ARN.');
    expect(note).toContain('delete the secrets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY');
    expectRestKept(AWS, o.text, /aws-(access|secret)/);
    expectIdempotent(o.text, ['static-cloud-credentials']);
  });

  it('AWS with oidc.aws in the policy: the role and region are written, not a draft', () => {
    const policy = policyOf('oidc:\n  aws:\n    role: arn:aws:iam::123456789012:role/ml-deploy\n    region: us-east-1\n');
    const text = AWS.replace('          aws-region: eu-west-1\n', '');
    const { o } = fix(text, ['static-cloud-credentials'], {}, policy);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain(
      '        with:\n          role-to-assume: arn:aws:iam::123456789012:role/ml-deploy\n          aws-region: us-east-1\n      - run: aws s3 cp',
    );
    expect(o.draft).toBeUndefined();
    expect(o.notes.join('\n')).toContain('Check that IAM role arn:aws:iam::123456789012:role/ml-deploy trusts');
    expectIdempotent(o.text, ['static-cloud-credentials'], {}, policy);
  });

  it('GCP: credentials_json -> workload_identity_provider + service_account from the policy; an existing job block gains id-token', () => {
    const policy = policyOf(
      'oidc:\n  gcp:\n    workload_identity_provider: projects/123/locations/global/workloadIdentityPools/gh/providers/gh\n    service_account: deploy@p.iam.gserviceaccount.com\n',
    );
    const text = `on: push
jobs:
  push:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - id: auth
        uses: google-github-actions/auth@${SHA_B} # v2.1.7
        with:
          credentials_json: '\${{ secrets.GCP_SA_KEY }}'
          create_credentials_file: true
`;
    const { o } = fix(text, ['static-cloud-credentials'], {}, policy);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`on: push
jobs:
  push:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write # pipeline-guard: OIDC login to GCP
    steps:
      - id: auth
        uses: google-github-actions/auth@${SHA_B} # v2.1.7
        with:
          workload_identity_provider: projects/123/locations/global/workloadIdentityPools/gh/providers/gh
          service_account: deploy@p.iam.gserviceaccount.com
          create_credentials_file: true
`);
    expect(o.draft).toBeUndefined();
    expect(o.notes.join('\n')).toContain('subject/repo:OWNER/REPO:ref:refs/heads/main');
  });

  it('Azure: a multi-line creds block becomes client-id / tenant-id / subscription-id placeholders (draft)', () => {
    const text = `on: workflow_dispatch
permissions:
  contents: read
jobs:
  az:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/login@${SHA_A} # v2.2.0
        with:
          creds: |
            \${{ secrets.AZURE_CREDENTIALS }}
          enable-AzPSSession: true
`;
    const { o } = fix(text, ['static-cloud-credentials'], { repository: 'acme/ml', defaultBranch: 'trunk' });
    expect(o.status).toBe('fixed');
    expect(o.text).toContain(`        with:
          client-id: \${{ vars.AZURE_CLIENT_ID }} # pipeline-guard: TODO set this variable (see the PR notes)
          tenant-id: \${{ vars.AZURE_TENANT_ID }} # pipeline-guard: TODO set this variable (see the PR notes)
          subscription-id: \${{ vars.AZURE_SUBSCRIPTION_ID }} # pipeline-guard: TODO set this variable (see the PR notes)
          enable-AzPSSession: true
`);
    expect(o.text).toContain('    permissions:\n      contents: read\n      id-token: write # pipeline-guard: OIDC login to AZURE\n');
    expect(o.draft).toBe(true);
    const note = o.notes.join('\n');
    expect(note).toContain('subject "repo:acme/ml:ref:refs/heads/trunk", audience api://AzureADTokenExchange');
    expect(note).toContain('AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID');
    expect(note).toContain('delete the secret AZURE_CREDENTIALS');
  });

  it('the subject claim follows the triggers: pull requests, releases (a tag pattern), else the default branch', () => {
    const noEnv = AWS.replace('    environment: production\n', '');
    const pr = fix(noEnv.replace('on:\n  push:\n    branches: [main]\n', 'on: pull_request\n'), ['static-cloud-credentials'], { repository: 'acme/ml' });
    expect(pr.o.notes.join('\n')).toContain('"token.actions.githubusercontent.com:sub" = "repo:acme/ml:pull_request"');
    const rel = fix(noEnv.replace('on:\n  push:\n    branches: [main]\n', 'on:\n  release:\n    types: [published]\n'), ['static-cloud-credentials'], { repository: 'acme/ml' });
    expect(rel.o.notes.join('\n')).toContain('"token.actions.githubusercontent.com:sub" StringLike "repo:acme/ml:ref:refs/tags/*"');
    const push = fix(noEnv.replace('[main]', '[release]'), ['static-cloud-credentials'], { repository: 'acme/ml', defaultBranch: 'develop' });
    expect(push.o.notes.join('\n')).toContain('"token.actions.githubusercontent.com:sub" = "repo:acme/ml:ref:refs/heads/release"');
    const manual = fix(noEnv.replace('on:\n  push:\n    branches: [main]\n', 'on: [push, workflow_dispatch]\n'), ['static-cloud-credentials'], { repository: 'acme/ml', defaultBranch: 'develop' });
    expect(manual.o.notes.join('\n')).toContain('"token.actions.githubusercontent.com:sub" = "repo:acme/ml:ref:refs/heads/develop"');
  });

  it('with no permissions anywhere, the new job block holds what the job needs plus id-token', () => {
    const text = AWS.replace('permissions:\n  contents: read\n', '');
    const { o } = fix(text, ['static-cloud-credentials']);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain('    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n      id-token: write # pipeline-guard: OIDC login to AWS\n    environment: production\n');
    // The other job keeps its default token.
    expect(o.text).toContain('  test:\n    runs-on: ubuntu-latest\n    steps:\n');
  });

  it('refuses when the job needs can not be decided, in composite actions, reusable workflows, and for env keys', () => {
    const undecided = AWS.replace('permissions:\n  contents: read\n', '').replace('      - run: aws s3 cp model.pt s3://models/\n', '      - uses: some/unknown-action@' + SHA_A + '\n');
    const u = fix(undecided, ['static-cloud-credentials']);
    expect(u.o.status).toBe('unchanged');
    expect(u.o.notes.join('\n')).toMatch(/neither the workflow nor job "deploy" sets permissions .* add `id-token: write` by hand; move it to OIDC by hand/);

    const reusable = AWS.replace('on:\n  push:\n    branches: [main]\n', 'on: workflow_call\n');
    const r = fix(reusable, ['static-cloud-credentials']);
    expect(r.o.status).toBe('unchanged');
    expect(r.o.notes.join('\n')).toContain('a reusable workflow gets `id-token: write` only from its caller');

    const action = `name: a
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@${SHA_B}
      with:
        aws-access-key-id: \${{ inputs.key }}
        aws-secret-access-key: \${{ inputs.secret }}
        aws-region: eu-west-1
`;
    const a = fix(action, ['static-cloud-credentials'], {}, emptyPolicy(), 'action.yml', 'action');
    expect(a.o.status).toBe('unchanged');
    expect(a.o.text).toBe(action);
    expect(a.o.notes.join('\n')).toContain('a composite action cannot grant its caller `id-token: write`');

    const env = `on: push
permissions:
  contents: read
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
    steps:
      - run: aws s3 ls
`;
    const e = fix(env, ['static-cloud-credentials']);
    expect(e.o.status).toBe('unchanged');
    expect(e.o.notes.join('\n')).toContain('only the login inputs of configure-aws-credentials');
  });
});

const PYPI = `name: release
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      contents: read
    steps:
      - uses: actions/download-artifact@${SHA_A} # v4.1.8
      - name: Publish
        uses: pypa/gh-action-pypi-publish@${SHA_B} # v1.12.4
        with:
          user: __token__
          password: \${{ secrets.PYPI_API_TOKEN }}
          skip-existing: true
`;

describe('publish-token-not-oidc fix (PyPI)', () => {
  it('drops user/password, adds id-token: write to the job, and is a draft naming the trusted publisher to register', () => {
    const { o, findings } = fix(PYPI, ['publish-token-not-oidc'], { repository: 'acme/ml' });
    expect(findings).toHaveLength(1);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`name: release
on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      contents: read
      id-token: write # pipeline-guard: PyPI trusted publishing
    steps:
      - uses: actions/download-artifact@${SHA_A} # v4.1.8
      - name: Publish
        uses: pypa/gh-action-pypi-publish@${SHA_B} # v1.12.4
        with:
          skip-existing: true
`);
    expect(o.draft).toBe(true);
    expect(o.notes.join('\n')).toContain(
      'add a trusted publisher to the PyPI project: owner "acme", repository "ml", workflow "w.yml", environment "pypi". Then delete the API token and the secret PYPI_API_TOKEN.',
    );
    expectIdempotent(o.text, ['publish-token-not-oidc']);
  });

  it('extends an empty flow block and upgrades an id-token: none in place', () => {
    const empty = PYPI.replace('    permissions:\n      contents: read\n', '    permissions: {}\n');
    const e = fix(empty, ['publish-token-not-oidc']);
    expect(e.o.status).toBe('fixed');
    expect(e.o.text).toContain('    environment: pypi\n    permissions: { id-token: write }\n    steps:\n');
    const none = PYPI.replace('      contents: read\n', '      contents: read\n      id-token: none # not needed yet\n');
    const n = fix(none, ['publish-token-not-oidc']);
    expect(n.o.status).toBe('fixed');
    expect(n.o.text).toContain('      contents: read\n      id-token: write # not needed yet\n    steps:\n');
  });

  it('removes an emptied with: entirely', () => {
    const text = PYPI.replace('          skip-existing: true\n', '');
    const { o } = fix(text, ['publish-token-not-oidc']);
    expect(o.status).toBe('fixed');
    expect(o.text.endsWith(`        uses: pypa/gh-action-pypi-publish@${SHA_B} # v1.12.4\n`)).toBe(true);
  });

  it('refuses reusable workflows and composite actions', () => {
    const reusable = PYPI.replace('on:\n  release:\n    types: [published]\n', 'on: workflow_call\n');
    const r = fix(reusable, ['publish-token-not-oidc']);
    expect(r.o.status).toBe('unchanged');
    expect(r.o.notes.join('\n')).toContain('PyPI does not accept a reusable workflow as a trusted publisher');
    const action = `name: a
runs:
  using: composite
  steps:
    - uses: pypa/gh-action-pypi-publish@${SHA_B}
      with:
        password: \${{ inputs.token }}
`;
    const a = fix(action, ['publish-token-not-oidc'], {}, emptyPolicy(), 'action.yml', 'action');
    expect(a.o.status).toBe('unchanged');
    expect(a.o.text).toBe(action);
  });
});

describe('composition', () => {
  it('OIDC, PyPI and pin fixes on one job compose into one permissions block', () => {
    const text = `on: push
permissions:
  contents: read
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.K }}
          aws-secret-access-key: \${{ secrets.S }}
          aws-region: eu-west-1
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: \${{ secrets.PYPI_TOKEN }}
`;
    const p = pins([
      ['aws-actions', 'configure-aws-credentials', 'v4', { status: 'pinned', sha: SHA_A, tag: 'v4.1.0', from: 'tag' }],
      ['pypa', 'gh-action-pypi-publish', 'release/v1', { status: 'ambiguous', reason: 'both' }],
    ]);
    const { o } = fix(text, ['static-cloud-credentials', 'publish-token-not-oidc', 'unpinned-action'], { pins: p });
    expect(o.status).toBe('fixed');
    expect(o.text.match(/id-token: write/g)).toHaveLength(1);
    expect(o.text).toContain(`- uses: aws-actions/configure-aws-credentials@${SHA_A} # v4.1.0\n`);
    expect(o.text).toContain('- uses: pypa/gh-action-pypi-publish@release/v1\n');
    expect(o.applied.map((a) => a.checkId).sort()).toEqual(['publish-token-not-oidc', 'static-cloud-credentials', 'unpinned-action']);
    expect(o.draft).toBe(true);
    // Per kind of fix (one fix-up PR each): only the placeholder-writing kinds are drafts.
    expect(Object.fromEntries(o.fixes.map((f) => [f.checkId, f.draft ?? false]))).toEqual({
      'static-cloud-credentials': true,
      'publish-token-not-oidc': true,
      'unpinned-action': false,
    });
  });
});
