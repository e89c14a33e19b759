/**
 * R5 deploy-environment-unprotected: a production-like deployment environment, or one a
 * publish/deploy job uses, that nobody has to approve and any branch may deploy to.
 */
import type { FindingDraft } from '../../model/types.js';
import type { EnvironmentProtection, RepoSettings } from '../../model/settings.js';
import type { Check, NotEvaluated } from '../types.js';
import { exposure, jobPublishes } from '../../workflows/context.js';
import { NO_SETTINGS, outcome, probed, quote, settingFinding } from './lib-settings.js';

/** Names that mean production (catalogue R5), plus `prod-*` / `*-prod(uction)` variants. */
const PROD_NAME = /^(prod|production|live|release|releases|pypi|hf-hub|model-registry|deploy.*|prod[-_.].+|.+[-_.]prod(uction)?)$/i;
const NOT_PROD = /(^|[-_.])(non|pre)[-_.]?prod/i;

export function isProductionLike(name: string): boolean {
  return PROD_NAME.test(name) && !NOT_PROD.test(name);
}

/** `a`, `a and b`, `a, b and c`. */
function joinClauses(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

interface Usage {
  workflow: string;
  job: string;
  publishes: boolean;
  /** The workflow runs on pull requests or other outsider triggers. */
  prReachable: boolean;
}

/** Plans that offer required reviewers and wait timers to private and internal repositories. */
function reviewersOffered(s: RepoSettings, env: EnvironmentProtection): boolean {
  if (s.repo.visibility === 'public') return true;
  if (env.reviewers > 0 || env.preventSelfReview) return true; // the feature is evidently there
  return s.repo.plan === 'enterprise';
}

/** Deployment branch policies exist for private repositories from GitHub Pro / Team up. */
function branchPolicyOffered(s: RepoSettings): boolean {
  return s.repo.visibility === 'public' || s.repo.plan !== 'free';
}

export const deployEnvironmentUnprotected: Check = {
  meta: {
    id: 'deploy-environment-unprotected',
    title: 'Deployment environment without required reviewers or branch restriction',
    defaultSeverity: 'high',
    severityNote:
      'High; critical when the environment holds secrets and a pull-request or other outsider-triggered workflow deploys to it.',
    inputs: ['S', 'F'],
    fix: 'api',
    tier: 1,
    standards: { owasp: ['CICD-SEC-1', 'CICD-SEC-5'], ssdf: ['PO.5.1'], atlas: ['AML.M0005', 'AML.M0019'] },
    docs: {
      why:
        'An environment is the gate between a workflow and production credentials: registry and cloud secrets scoped to it are ' +
        'released only when its protection rules pass. An environment with no required reviewer lets any run that names it ' +
        'deploy or publish a model; one without a deployment branch policy can be used from any branch, including one a ' +
        'contributor just pushed; and if the person who triggered the run may approve it, the review is a formality. Environments ' +
        'a workflow names but that do not exist are created on first use with no protection at all.',
      howToFix:
        'For each production-like environment (prod, production, release, pypi, hf-hub, model-registry, deploy…) and every ' +
        'environment a publish or deploy job uses: add required reviewers (a team), enable "prevent self-review", and restrict ' +
        'deployments to protected branches or named release branches/tags (`PUT /repos/{owner}/{repo}/environments/{name}` with ' +
        '`reviewers`, `prevent_self_review: true`, `deployment_branch_policy: {protected_branches: true}`). Move deployment secrets ' +
        'into the environment. Required reviewers on private and internal repositories need GitHub Enterprise; on other plans use a ' +
        'protected-branch-only environment and required pull request reviews on that branch.',
      references: [
        'https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments',
        'https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-05-Insufficient-PBAC',
      ],
    },
  },
  run(input) {
    const settings = input.snapshot.settings;
    if (!settings) return outcome([], [NO_SETTINGS]);
    if (settings.repo.archived) return outcome([]);
    const envs = probed(settings.environments, 'the deployment environments');
    if (!envs.ok) return outcome([], [envs.note]);

    // Environments named by jobs (GitHub compares names case-insensitively).
    const usages = new Map<string, { name: string; uses: Usage[] }>();
    for (const w of input.workflows) {
      const prReachable = exposure(w) !== 'low';
      for (const job of w.jobs) {
        if (!job.environment || job.environment.isExpression) continue;
        const key = job.environment.name.toLowerCase();
        let u = usages.get(key);
        if (!u) usages.set(key, (u = { name: job.environment.name, uses: [] }));
        u.uses.push({ workflow: w.path, job: job.id, publishes: jobPublishes(job), prReachable });
      }
    }
    const envSecrets = new Set<string>();
    if (settings.secrets.status === 'ok') {
      for (const s of settings.secrets.value) if (s.scope === 'environment' && s.environment) envSecrets.add(s.environment.toLowerCase());
    }

    const findings: FindingDraft[] = [];
    const reviewersMissingNotOffered: string[] = [];
    const seen = new Set<string>();
    for (const env of envs.value) {
      const key = env.name.toLowerCase();
      seen.add(key);
      const uses = usages.get(key)?.uses ?? [];
      const deployer = uses.find((u) => u.publishes);
      if (!isProductionLike(env.name) && !deployer) continue;

      const gaps: string[] = [];
      const approvalGate = env.reviewers > 0 || env.customRules.length > 0;
      if (!approvalGate) {
        if (reviewersOffered(settings, env)) gaps.push('has no required reviewers');
        else reviewersMissingNotOffered.push(env.name);
      } else if (env.reviewers > 0 && !env.preventSelfReview) {
        gaps.push('lets the person who started a run approve it');
      }
      if (branchPolicyOffered(settings)) {
        const policy = env.deploymentBranchPolicy;
        if (!policy) gaps.push('lets any branch deploy to it');
        else if (!policy.protectedBranches && policy.customBranchPolicies && (env.branchPolicies ?? []).some((p) => p === '*' || p === '**')) {
          gaps.push('has a branch policy that allows every branch ("*")');
        }
      }
      if (gaps.length === 0) continue;

      const hasSecrets = (env.secretNames?.length ?? 0) > 0 || envSecrets.has(key);
      const pr = uses.find((u) => u.prReachable);
      const severity = hasSecrets && pr ? 'critical' : 'high';
      const used = deployer ?? pr ?? uses[0];
      const where = used ? ` (used by job "${used.job}" in ${used.workflow})` : '';
      const reach = hasSecrets && pr ? '; it holds secrets and a workflow triggered by pull requests deploys to it' : '';
      findings.push(
        settingFinding(
          severity,
          `Environment ${quote(env.name)}${where} ${joinClauses(gaps)}${reach}.`,
          `environments/${env.name}.protection_rules`,
          gaps.join('; '),
          {
            environment: env.name,
            reviewers: env.reviewers,
            preventSelfReview: env.preventSelfReview,
            branchPolicy: env.deploymentBranchPolicy ? (env.deploymentBranchPolicy.protectedBranches ? 'protected' : 'custom') : 'none',
            canAdminsBypass: env.canAdminsBypass,
            holdsSecrets: hasSecrets,
            ...(used ? { workflow: used.workflow, job: used.job } : {}),
          },
        ),
      );
    }

    // A job naming an environment that does not exist: GitHub creates it, unprotected, on first run.
    for (const [key, u] of usages) {
      if (seen.has(key)) continue;
      const deployer = u.uses.find((x) => x.publishes);
      if (!deployer && !isProductionLike(u.name)) continue;
      const used = deployer ?? u.uses[0];
      findings.push(
        settingFinding(
          'high',
          `Environment ${quote(u.name)} (used by job "${used.job}" in ${used.workflow}) does not exist, so GitHub creates it with no protection on the first run.`,
          `environments/${u.name}`,
          'absent',
          { environment: u.name, workflow: used.workflow, job: used.job },
        ),
      );
    }

    const notes: NotEvaluated[] = [];
    if (reviewersMissingNotOffered.length > 0) {
      notes.push({
        kind: 'not-available',
        reason:
          `required reviewers for environments (${reviewersMissingNotOffered.map(quote).join(', ')}) need GitHub Enterprise on ` +
          `${settings.repo.visibility} repositories; gate deployments with a protected-branch-only environment and required pull request reviews instead`,
      });
    }
    return outcome(findings, notes);
  },
};
