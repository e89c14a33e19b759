/**
 * Which GITHUB_TOKEN scopes a job appears to need, from the actions it uses and the commands it runs
 * (catalogue W6 inventory). Heuristic: used to word findings ("no step appears to need it"), never to
 * decide that a scope is safe to drop without review.
 */
import type { Job, Step } from '../../workflows/model.js';
import { actionName } from '../../workflows/uses.js';

type Need = (step: Step, name: string | undefined) => boolean;

const withKey = (step: Step, key: string): string | undefined => step.with.find((kv) => kv.key === key)?.value;
const uses = (...prefixes: string[]): Need => (_s, name) => !!name && prefixes.some((p) => name === p || name.startsWith(`${p}/`));
const runs = (re: RegExp): Need => (s) => !!s.run && re.test(s.run.value);
const any = (...needs: Need[]): Need => (s, n) => needs.some((f) => f(s, n));

const NEEDS: Record<string, Need> = {
  'id-token': any(
    uses('actions/attest', 'actions/attest-build-provenance', 'actions/attest-sbom', 'sigstore/cosign-installer', 'slsa-framework/slsa-github-generator'),
    (s, n) => n === 'aws-actions/configure-aws-credentials' && !!withKey(s, 'role-to-assume'),
    (s, n) => n === 'google-github-actions/auth' && !!withKey(s, 'workload_identity_provider'),
    (s, n) => n === 'azure/login' && !!withKey(s, 'client-id') && !withKey(s, 'creds'),
    (s, n) => n === 'hashicorp/vault-action' && withKey(s, 'method') === 'jwt',
    (s, n) => n === 'pypa/gh-action-pypi-publish' && !withKey(s, 'password'),
    runs(/ACTIONS_ID_TOKEN_REQUEST|cosign\s+(sign|attest)|--provenance|gh\s+attestation/),
  ),
  contents: any(
    uses('softprops/action-gh-release', 'ncipollo/release-action', 'peaceiris/actions-gh-pages', 'stefanzweifel/git-auto-commit-action',
      'endbug/add-and-commit', 'peter-evans/create-pull-request', 'changesets/action', 'googleapis/release-please-action',
      'google-github-actions/release-please-action', 'actions/create-release', 'actions/upload-release-asset', 'svenstaro/upload-release-action'),
    runs(/\bgit\s+push\b|\bgh\s+release\b|mkdocs\s+gh-deploy|ghp-import|semantic-release|\bgit\s+tag\b/),
  ),
  packages: any(
    (s, n) => n === 'docker/login-action' && /ghcr\.io/.test(withKey(s, 'registry') ?? ''),
    runs(/ghcr\.io|npm\.pkg\.github\.com|maven\.pkg\.github\.com|nuget\.pkg\.github\.com/),
  ),
  'pull-requests': any(
    uses('peter-evans/create-pull-request', 'thollander/actions-comment-pull-request', 'marocchino/sticky-pull-request-comment',
      'peter-evans/create-or-update-comment', 'actions/labeler', 'mshick/add-pr-comment', 'reviewdog', 'dependabot/fetch-metadata'),
    runs(/\bgh\s+pr\b|reviewdog/),
  ),
  issues: any(uses('actions/stale', 'peter-evans/create-issue-from-file', 'actions-ecosystem/action-add-labels'), runs(/\bgh\s+(issue|label)\b/)),
  'security-events': uses('github/codeql-action', 'github/codeql-action/upload-sarif', 'ossf/scorecard-action', 'aquasecurity/trivy-action', 'anchore/scan-action'),
  pages: uses('actions/deploy-pages'),
  attestations: uses('actions/attest', 'actions/attest-build-provenance', 'actions/attest-sbom'),
  'artifact-metadata': uses('actions/attest', 'actions/attest-build-provenance', 'actions/attest-sbom'),
  checks: any(uses('mikepenz/action-junit-report', 'dorny/test-reporter', 'enricomi/publish-unit-test-result-action', 'reviewdog'), runs(/reviewdog/)),
  statuses: uses('github/super-linter', 'super-linter/super-linter', 'myrotvorets/set-commit-status-action'),
  deployments: uses('chrnorm/deployment-action', 'bobheadxi/deployments'),
  actions: any(uses('actions/delete-package-versions', 'geekyeggo/delete-artifact'), runs(/\bgh\s+(run|workflow|cache)\b/)),
};

/** Steps that call the GitHub API with the token in ways we cannot read: any scope may be needed. */
const OPAQUE_API: Need = any(uses('actions/github-script', 'octokit/request-action'), runs(/\bgh\s+api\b|api\.github\.com|GITHUB_TOKEN/));

/** 'yes' when a step clearly needs `scope: write`, 'maybe' when an opaque API call might, 'no' otherwise. */
export function jobNeedsWrite(job: Job, scope: string): 'yes' | 'maybe' | 'no' {
  const need = NEEDS[scope];
  let maybe = false;
  for (const step of job.steps) {
    const name = step.uses ? actionName(step.uses.ref) : undefined;
    if (need?.(step, name)) return 'yes';
    if (OPAQUE_API(step, name)) maybe = true;
  }
  // A reusable-workflow call may need anything its callee declares.
  if (job.uses) maybe = true;
  return maybe ? 'maybe' : 'no';
}
