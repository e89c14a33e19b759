/**
 * excessive-permissions fix (W6), the safe minimum: when a workflow has no `permissions:` block,
 * add `permissions: contents: read` at the top (after `on:`) and give each job that needs more its own
 * block, computed from a small table of well-known actions and commands, one comment per scope
 * naming the step that needs it. When any job has a step the table cannot decide (an unknown action,
 * a GitHub API call, a reusable-workflow call), nothing changes and a note says which.
 * `write-all`, `read-all` and workflow-level write scopes are left to a reviewer (note).
 */
import { isMap } from 'yaml';
import type { Job, Step } from '../workflows/model.js';
import { actionName } from '../workflows/uses.js';
import { blockMapAt, insertAfterKey, isReusableOnly, stepComment } from './common.js';
import { pairOf } from './doc.js';
import type { FixEdit, Fixer, FixerOutput, Splice } from './types.js';

const CHECK_ID = 'excessive-permissions';

type Scopes = Record<string, 'read' | 'write'>;
type StepNeed = Scopes | { undecided: string };

const withValue = (s: Step, key: string): string | undefined => s.with.find((k) => k.key === key)?.value;
const NONE: Scopes = {};

/** Well-known actions -> the GITHUB_TOKEN scopes they need (catalogue W6 inventory). */
const ACTIONS: Record<string, (s: Step) => StepNeed> = {
  'actions/checkout': () => ({ contents: 'read' }),
  'actions/setup-python': () => NONE,
  'actions/setup-node': () => NONE,
  'actions/setup-go': () => NONE,
  'actions/setup-java': () => NONE,
  'actions/setup-dotnet': () => NONE,
  'actions/cache': () => NONE,
  'actions/cache/restore': () => NONE,
  'actions/cache/save': () => NONE,
  'actions/upload-artifact': () => NONE,
  'actions/download-artifact': (s) => (withValue(s, 'github-token') || withValue(s, 'run-id') ? { actions: 'read' } : NONE),
  'actions/upload-pages-artifact': () => NONE,
  'actions/deploy-pages': () => ({ pages: 'write', 'id-token': 'write' }),
  'actions/attest-build-provenance': () => ({ 'id-token': 'write', attestations: 'write' }),
  'actions/attest-sbom': () => ({ 'id-token': 'write', attestations: 'write' }),
  'actions/attest': () => ({ 'id-token': 'write', attestations: 'write' }),
  'astral-sh/setup-uv': () => NONE,
  'conda-incubator/setup-miniconda': () => NONE,
  'mamba-org/setup-micromamba': () => NONE,
  'pre-commit/action': () => NONE,
  'docker/setup-buildx-action': () => NONE,
  'docker/setup-qemu-action': () => NONE,
  'docker/metadata-action': () => NONE,
  'docker/login-action': (s) => (/ghcr\.io/i.test(withValue(s, 'registry') ?? '') ? { packages: 'write' } : NONE),
  'docker/build-push-action': (s) => (/ghcr\.io/i.test(withValue(s, 'tags') ?? '') && /true/i.test(withValue(s, 'push') ?? '') ? { packages: 'write' } : NONE),
  'pypa/gh-action-pypi-publish': (s) => (withValue(s, 'password') ? NONE : { 'id-token': 'write' }),
  'softprops/action-gh-release': () => ({ contents: 'write' }),
  'ncipollo/release-action': () => ({ contents: 'write' }),
  'github/codeql-action/init': () => ({ 'security-events': 'write', actions: 'read', contents: 'read' }),
  'github/codeql-action/analyze': () => ({ 'security-events': 'write', actions: 'read', contents: 'read' }),
  'github/codeql-action/autobuild': () => NONE,
  'github/codeql-action/upload-sarif': () => ({ 'security-events': 'write' }),
  'aws-actions/configure-aws-credentials': (s) => (withValue(s, 'role-to-assume') ? { 'id-token': 'write' } : NONE),
  'google-github-actions/auth': (s) => (withValue(s, 'workload_identity_provider') ? { 'id-token': 'write' } : NONE),
  'azure/login': (s) => (withValue(s, 'client-id') && !withValue(s, 'creds') ? { 'id-token': 'write' } : NONE),
};

const TOKEN_REF = /\bGITHUB_TOKEN\b|\bgithub\.token\b|\bGH_TOKEN\b/;

function runNeed(s: Step): StepNeed {
  const script = s.run?.value ?? '';
  if (/\bgh\s+api\b|api\.github\.com|\bcurl\b[^\n]*github\.com\/repos/.test(script)) return { undecided: 'calls the GitHub API' };
  const need: Scopes = {};
  if (/\bgit\s+push\b|\bgh\s+release\b|\bgit\s+tag\b|mkdocs\s+gh-deploy|ghp-import|semantic-release/.test(script)) need.contents = 'write';
  if (/\bgh\s+pr\b/.test(script)) need['pull-requests'] = 'write';
  if (/\bgh\s+(issue|label)\b/.test(script)) need.issues = 'write';
  if (/docker\s+push\s+ghcr\.io/.test(script)) need.packages = 'write';
  const otherGh = /(^|[\s;&|(])gh\s+(?!pr\b|release\b|issue\b|label\b)[a-z]/m.test(script);
  if (otherGh) return { undecided: 'runs gh commands whose scopes are not in the table' };
  const tokenInEnv = s.env.some((e) => TOKEN_REF.test(e.value ?? '')) || TOKEN_REF.test(script);
  if (tokenInEnv && Object.keys(need).length === 0) return { undecided: 'hands the GITHUB_TOKEN to a script' };
  return need;
}

function stepNeed(s: Step): StepNeed {
  if (s.run) return runNeed(s);
  if (!s.uses) return NONE;
  if (s.uses.ref.kind !== 'action') return { undecided: `uses ${s.uses.value}` };
  const name = actionName(s.uses.ref)?.toLowerCase();
  const rule = name ? ACTIONS[name] : undefined;
  return rule ? rule(s) : { undecided: `uses ${s.uses.value}, which is not in the table of known actions` };
}

/** The scopes a job needs with the steps that need them, or the first step the table cannot decide. */
export function jobNeeds(job: Job): { scopes: Map<string, { level: 'read' | 'write'; by: string[] }> } | { undecided: string } {
  if (job.uses) return { undecided: `job "${job.id}" calls a reusable workflow, whose needs are not read here` };
  const scopes = new Map<string, { level: 'read' | 'write'; by: string[] }>();
  for (const step of job.steps) {
    const need = stepNeed(step);
    if ('undecided' in need) return { undecided: `job "${job.id}" step ${step.index + 1} (${stepComment(step)}) ${need.undecided}` };
    for (const [scope, level] of Object.entries(need)) {
      const cur = scopes.get(scope);
      if (!cur) scopes.set(scope, { level, by: [stepComment(step)] });
      else if (level === 'write' && cur.level === 'read') {
        // The comment names the steps that need the level granted.
        cur.level = 'write';
        cur.by = [stepComment(step)];
      } else if (level === cur.level && !cur.by.includes(stepComment(step))) cur.by.push(stepComment(step));
    }
  }
  return { scopes };
}

const MISSING = /no top-level permissions block|sets no permissions/;

export const excessivePermissionsFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings }): FixerOutput {
    const notes: string[] = [];
    const missing = findings.filter((f) => MISSING.test(f.message));
    for (const f of findings) {
      if (!MISSING.test(f.message)) notes.push(`${w.path}:${f.region?.line ?? 1}: excessive-permissions: narrowing an existing block needs review; left as is.`);
    }
    if (missing.length === 0 || w.kind !== 'workflow' || w.permissions) return { edits: [], notes };
    const root = w.doc.contents;
    if (!root || !isMap(root) || root.flow || !pairOf(root, 'on')) {
      notes.push(`${w.path}: excessive-permissions: the workflow has no on: key or its top level is not a block mapping; left as is.`);
      return { edits: [], notes };
    }
    if (isReusableOnly(w)) {
      notes.push(`${w.path}: excessive-permissions: a reusable workflow takes its token from the caller; left as is.`);
      return { edits: [], notes };
    }
    const perJob: { job: Job; lines: string[] }[] = [];
    for (const job of w.jobs) {
      if (job.permissions) continue;
      const needs = jobNeeds(job);
      if ('undecided' in needs) {
        notes.push(`${w.path}: excessive-permissions: not fixed: ${needs.undecided}; add permissions by hand.`);
        return { edits: [], notes };
      }
      const beyondRead = [...needs.scopes].some(([scope, n]) => n.level === 'write' || scope !== 'contents');
      if (!beyondRead) continue;
      const lines: string[] = [];
      if (!needs.scopes.has('contents')) lines.push('contents: read # pipeline-guard: read the repository');
      for (const [scope, n] of [...needs.scopes].sort((a, b) => a[0].localeCompare(b[0]))) {
        lines.push(`${scope}: ${n.level} # pipeline-guard: needed by ${n.by.join(', ')}`);
      }
      perJob.push({ job, lines });
    }
    const splices: Splice[] = [];
    const targets: (string | number)[][] = [['permissions']];
    splices.push(
      insertAfterKey(w.text, root, 'on', ['permissions:', '  contents: read # pipeline-guard: read-only token by default; jobs that need more say so']),
    );
    for (const { job, lines } of perJob) {
      const located = blockMapAt(w, job.loc.offset);
      if ('error' in located) {
        notes.push(`${w.path}: excessive-permissions: job "${job.id}" cannot be edited: ${located.error}; left as is.`);
        return { edits: [], notes };
      }
      const anchor = pairOf(located.map, 'runs-on') ? 'runs-on' : 'name';
      splices.push(insertAfterKey(w.text, located.map, anchor, ['permissions:', ...lines.map((l) => `  ${l}`)]));
      targets.push([...located.path, 'permissions']);
    }
    const edit: FixEdit = {
      checkId: CHECK_ID,
      splices,
      targets,
      findings: missing,
      notes: [
        `${w.path}: added a read-only top-level permissions block` +
          (perJob.length > 0 ? ` and least-privilege blocks for ${perJob.map((p) => `"${p.job.id}"`).join(', ')}.` : '.'),
      ],
    };
    return { edits: [edit], notes };
  },
};
