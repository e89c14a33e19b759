/** Each fixer on small workflows: exact resulting text, and the engine's acceptance and composition rules. */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../src/checks/registry.js';
import { scanSnapshot } from '../../src/engine/scan.js';
import { applyFixes, fixFile } from '../../src/fixes/engine.js';
import { diffPaths } from '../../src/fixes/doc.js';
import { unifiedDiff } from '../../src/fixes/diff.js';
import { applySplices, conflicts } from '../../src/fixes/text.js';
import type { Finding } from '../../src/model/types.js';
import { emptyPolicy } from '../../src/policy/config.js';
import { applyUnifiedDiff } from './diff-apply.js';
import { oneFileSnapshot } from './snapshot.js';

const PATH = '.github/workflows/w.yml';

function fix(text: string, kinds?: string[], path = PATH, role: 'workflow' | 'action' = 'workflow') {
  const s = oneFileSnapshot(text, path, role);
  const findings = scanSnapshot(s, ALL_CHECKS, emptyPolicy()).findings;
  const [o] = applyFixes(s, findings, emptyPolicy(), kinds);
  return { o, findings };
}

describe('expression-injection fix', () => {
  it('lifts an unquoted expression into a new env: block and quotes the variable (Ultralytics shape)', () => {
    const text = `on: pull_request_target
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # pull the contributor's branch
      - name: Pull
        run: git pull origin \${{ github.head_ref || github.ref }}   # keep this comment
      - run: echo done
`;
    const { o } = fix(text, ['expression-injection']);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`on: pull_request_target
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      # pull the contributor's branch
      - name: Pull
        run: git pull origin "\${HEAD_REF}"   # keep this comment
        env:
          HEAD_REF: \${{ github.head_ref || github.ref }}
      - run: echo done
`);
  });

  it('uses the runner variable for head_ref, reuses an identical env entry, and handles single quotes', () => {
    const text = `on: issues
permissions: {}
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "\${{ github.head_ref }}"
          echo '\${{ github.event.issue.title }}'
          printf %s \${{ github.event.issue.body }}
        env:
          BODY: \${{ github.event.issue.body }}
`;
    const { o } = fix(text, ['expression-injection']);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain(`echo "\${GITHUB_HEAD_REF}"`);
    expect(o.text).toContain(`echo ''"\${GITHUB_EVENT_ISSUE_TITLE}"''`);
    expect(o.text).toContain(`printf %s "\${BODY}"`);
    expect(o.text).toContain(`          BODY: \${{ github.event.issue.body }}\n          GITHUB_EVENT_ISSUE_TITLE: \${{ github.event.issue.title }}\n`);
    expect(o.text).not.toMatch(/BODY_2|GITHUB_HEAD_REF:/);
  });

  it('writes $env:VAR for pwsh and process.env for github-script', () => {
    const text = `on: issue_comment
permissions: {}
jobs:
  t:
    runs-on: windows-latest
    steps:
      - run: Write-Host "\${{ github.event.comment.body }}"
      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7
        with:
          script: |
            const body = '\${{ github.event.comment.body }}'
            console.log(\`got \${{ github.event.issue.title }}\`)
`;
    const { o } = fix(text, ['expression-injection']);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain('run: Write-Host "$env:GITHUB_EVENT_COMMENT_BODY"');
    expect(o.text).toContain('const body = process.env.GITHUB_EVENT_COMMENT_BODY');
    expect(o.text).toContain('console.log(`got ${process.env.GITHUB_EVENT_ISSUE_TITLE}`)');
  });

  it('keeps CRLF line endings and edits composite actions (shell from the step)', () => {
    const text = [
      'name: a',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - shell: bash',
      '      run: git pull origin ${{ inputs.branch }}',
      '',
    ].join('\r\n');
    const { o, findings } = fix(text, ['expression-injection'], 'action.yml', 'action');
    expect(findings.some((f) => f.checkId === 'expression-injection' && f.fixable)).toBe(true);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(
      ['name: a', 'runs:', '  using: composite', '  steps:', '    - shell: bash', '      run: git pull origin "${INPUTS_BRANCH}"', '      env:', '        INPUTS_BRANCH: ${{ inputs.branch }}', ''].join('\r\n'),
    );
  });

  it('leaves a quoted heredoc alone with a note', () => {
    const text = `on: issues
permissions: {}
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cat <<'EOF'
          \${{ github.event.issue.title }}
          EOF
`;
    const { o } = fix(text, ['expression-injection']);
    expect(o.status).toBe('unchanged');
    expect(o.text).toBe(text);
    expect(o.notes.join('\n')).toMatch(/quoted heredoc/);
  });
});

describe('spoofable-bot-check fix', () => {
  it('replaces github.actor with the finding replacement in job and step conditions', () => {
    const text = `on: pull_request_target
permissions:
  contents: write
jobs:
  merge:
    runs-on: ubuntu-latest
    if: \${{ github.actor == 'dependabot[bot]' }}
    steps:
      - if: github.actor == 'dependabot[bot]' && true
        run: gh pr merge --auto "$PR"
`;
    const { o } = fix(text, ['spoofable-bot-check']);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain("if: ${{ github.event.pull_request.user.login == 'dependabot[bot]' }}");
    expect(o.text).toContain("- if: github.event.pull_request.user.login == 'dependabot[bot]' && true");
  });
});

describe('cache-poisoning fix', () => {
  const release = (step: string): string => `on:
  push:
    tags: ['v*']
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
${step}      - run: python -m build
`;
  it('drops a string-valued setup-python cache input together with an emptied with:', () => {
    const { o } = fix(release(`      - uses: actions/setup-python@v5
        with:
          cache: pip
`), ['cache-poisoning']);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(release(`      - uses: actions/setup-python@v5
`));
  });
  it('adds enable-cache: false to setup-uv (default on) and keeps other inputs', () => {
    const { o } = fix(release(`      - uses: astral-sh/setup-uv@v5
        with:
          version: "0.5.1" # pinned
`), ['cache-poisoning']);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain('          version: "0.5.1" # pinned\n          enable-cache: false\n');
  });
});

describe('model-promotion-ungated fix', () => {
  it('adds environment: production after runs-on, with a comment', () => {
    const text = `on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  promote:
    runs-on: ubuntu-latest
    steps:
      - run: python -c "import mlflow; mlflow.register_model('runs:/1/model', 'prod-model')"
`;
    const { o, findings } = fix(text, ['model-promotion-ungated']);
    expect(findings.some((f) => f.checkId === 'model-promotion-ungated')).toBe(true);
    expect(o.status).toBe('fixed');
    expect(o.text).toContain("    runs-on: ubuntu-latest\n    environment: production # pipeline-guard: model promotion waits for this environment's reviewers\n    steps:");
  });
});

describe('excessive-permissions fix', () => {
  it('adds a read-only top-level block and a per-job block with one comment per scope', () => {
    const text = `name: release
on:
  push:
    tags: ['v*']

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
      - uses: softprops/action-gh-release@v2
`;
    const { o } = fix(text, ['excessive-permissions']);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(`name: release
on:
  push:
    tags: ['v*']
permissions:
  contents: read # pipeline-guard: read-only token by default; jobs that need more say so

jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
  publish:
    runs-on: ubuntu-latest
    permissions:
      contents: write # pipeline-guard: needed by softprops/action-gh-release@v2
      id-token: write # pipeline-guard: needed by pypa/gh-action-pypi-publish@release/v1
    steps:
      - uses: actions/checkout@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
      - uses: softprops/action-gh-release@v2
`);
  });

  it('changes nothing when a job uses an action the table does not know, and says which', () => {
    const text = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/unknown-action@v1
`;
    const { o } = fix(text, ['excessive-permissions']);
    expect(o.status).toBe('unchanged');
    expect(o.text).toBe(text);
    expect(o.notes.join('\n')).toMatch(/someone\/unknown-action@v1, which is not in the table/);
  });
});

describe('engine', () => {
  it('composes two fixes that insert at the same place (environment and permissions after runs-on)', () => {
    const text = `on:
  push:
    branches: [main]
jobs:
  promote:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: softprops/action-gh-release@v2
      - run: python -c "import mlflow; mlflow.register_model('runs:/1/model', 'prod-model')"
`;
    const { o } = fix(text);
    expect(o.status).toBe('fixed');
    expect(o.applied.map((a) => a.checkId).sort()).toEqual(['excessive-permissions', 'model-promotion-ungated']);
    expect(o.text).toMatch(/runs-on: ubuntu-latest\n {4}(permissions:\n {6}contents: write[^\n]*\n {4}environment: production|environment: production[^\n]*\n {4}permissions:\n {6}contents: write)/);
  });

  it('rejects a fix whose splices change a node it did not declare', () => {
    const text = `on: issues
permissions: {}
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.issue.title }}"
`;
    const s = oneFileSnapshot(text);
    const findings = scanSnapshot(s, ALL_CHECKS, emptyPolicy()).findings.filter((f) => f.checkId === 'expression-injection');
    expect(findings).toHaveLength(1);
    // An alias makes the edited run: appear twice in the document: the second copy is outside the targets.
    const aliased = text.replace('      - run: echo', '      - run: &r echo') + '      - run: *r\n';
    const o = fixFile({ path: PATH, kind: 'workflow', text: aliased, findings: scanSnapshot(oneFileSnapshot(aliased), ALL_CHECKS, emptyPolicy()).findings, policy: emptyPolicy() });
    expect(o.status).toBe('rejected');
    expect(o.reason).toMatch(/changed jobs\.t\.steps\[1\]\.run, outside the nodes it declared/);
    expect(o.text).toBe(aliased);
  });

  it('never throws on findings that point nowhere', () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n';
    const bogus: Finding = { checkId: 'expression-injection', severity: 'high', message: 'x', path: PATH, job: 'nope', fixable: true, region: { line: 99, column: 1, endLine: 99, endColumn: 2 }, data: { sink: 'run' } };
    const o = fixFile({ path: PATH, kind: 'workflow', text, findings: [bogus], policy: emptyPolicy() });
    expect(o.status).not.toBe('fixed');
    expect(o.text).toBe(text);
  });
});

describe('text helpers', () => {
  it('detects overlapping splices and merges identical ones', () => {
    expect(conflicts({ start: 1, end: 5, text: 'a' }, { start: 4, end: 6, text: 'b' })).toBe(true);
    expect(conflicts({ start: 3, end: 3, text: 'a' }, { start: 3, end: 3, text: 'b' })).toBe(true);
    expect(conflicts({ start: 3, end: 3, text: 'a' }, { start: 3, end: 3, text: 'a' })).toBe(false);
    expect(conflicts({ start: 1, end: 3, text: 'a' }, { start: 3, end: 5, text: 'b' })).toBe(false);
    expect(applySplices('abcdef', [{ start: 0, end: 1, text: 'X' }, { start: 4, end: 6, text: '' }])).toBe('Xbcd');
  });
  it('lists changed document paths ignoring key order', () => {
    expect(diffPaths({ a: 1, b: [1, 2] }, { b: [1, 3], a: 1, c: 0 })).toEqual([['b', 1], ['c']]);
  });
  it('produces a unified diff that applies back to the new text', () => {
    const a = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\n';
    const b = 'l1\nl2x\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\n';
    const d = unifiedDiff('f.yml', a, b);
    expect(d.startsWith('--- a/f.yml\n+++ b/f.yml\n@@ -1,')).toBe(true);
    expect(applyUnifiedDiff(a, d)).toBe(b);
    expect(unifiedDiff('f.yml', a, a)).toBe('');
  });
});

describe('hardcoded-secret fix', () => {
  const TOKEN = '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';
  it('replaces the literal by a secrets reference, keeping the comment and the quotes, and says to rotate', () => {
    const text = `on: push
permissions: {}
jobs:
  train:
    runs-on: ubuntu-latest
    env:
      HF_TOKEN: ${TOKEN}  # the hub token
    steps:
      - run: huggingface-cli login --token "${TOKEN}"
`;
    const { o } = fix(text, ['hardcoded-secret']);
    expect(o.status).toBe('fixed');
    expect(o.text).toBe(text.replaceAll(TOKEN, '${{ secrets.HF_TOKEN }}'));
    expect(o.text).not.toContain(TOKEN);
    expect(o.notes.join('\n')).toMatch(/create that secret, and rotate the leaked key/);
  });

  it('names the secret after the token kind or the key, in a form GitHub accepts', () => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      github-token: ${'ghp_'}R8x2Lq9Zt4Vw7Ny3Kp6Hs1Jd5Fg0Mb2Cv8Xa\n      GITHUB_DEPLOY_PASSWORD: Zq8vR2kL9mX4tB7nW3pQ\n    steps:\n      - run: gh auth status\n`;
    const { o } = fix(text, ['hardcoded-secret']);
    expect(o.status).toBe('fixed');
    // GitHub refuses secret names starting with GITHUB_: the fix prefixes it.
    expect(o.text).toContain('github-token: ${{ secrets.GH_TOKEN }}');
    expect(o.text).toContain('GITHUB_DEPLOY_PASSWORD: ${{ secrets.X_GITHUB_DEPLOY_PASSWORD }}');
  });
});
