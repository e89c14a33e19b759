/**
 * Privilege and exposure of a job (catalogue §2.4): the two axes severities escalate on.
 */
import type { Job, Permissions, Step, WorkflowFile } from './model.js';
import { actionName } from './uses.js';

/** Triggers an outsider can fire while the run gets the base repository's token and secrets. */
export const OUTSIDER_PRIVILEGED_TRIGGERS = new Set([
  'pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment',
  'pull_request_review', 'pull_request_review_comment', 'fork', 'watch', 'check_run', 'check_suite',
]);
/** Triggers an outsider can fire with a read-only token and no secrets (fork PRs). */
export const OUTSIDER_UNPRIVILEGED_TRIGGERS = new Set(['pull_request', 'merge_group']);

export type Exposure = 'high' | 'medium' | 'low';

export function triggerNames(w: WorkflowFile): Set<string> {
  return new Set(w.triggers.map((t) => t.event));
}

/** high: outsiders trigger it with base-repo privileges; medium: fork PRs; low: insiders only. */
export function exposure(w: WorkflowFile): Exposure {
  const names = triggerNames(w);
  if ([...names].some((n) => OUTSIDER_PRIVILEGED_TRIGGERS.has(n))) return 'high';
  if ([...names].some((n) => OUTSIDER_UNPRIVILEGED_TRIGGERS.has(n))) return 'medium';
  return 'low';
}

/** The job's effective permissions block: job level replaces workflow level entirely. */
export function effectivePermissions(w: WorkflowFile, job: Job): Permissions | undefined {
  return job.permissions ?? w.permissions;
}

export function hasWriteScope(p: Permissions | undefined): boolean {
  if (!p) return false;
  if (p.kind === 'write-all') return true;
  return [...p.scopes.values()].some((s) => s.level === 'write');
}

export function hasIdTokenWrite(p: Permissions | undefined): boolean {
  if (!p) return false;
  if (p.kind === 'write-all') return true;
  return p.scopes.get('id-token')?.level === 'write';
}

const HOSTED_LABEL = /^(ubuntu|windows|macos)(-[\w.]+)*$/i;

/**
 * True when a job may run on a self-hosted runner: an explicit `self-hosted` label, a runner
 * group, or a label that is not a GitHub-hosted image name. Expressions count as unknown (false).
 */
export function isSelfHosted(job: Job, hostedLabels: readonly string[] = []): boolean {
  const r = job.runsOn;
  if (!r || r.dynamic) return false;
  if (r.group) return true;
  return r.labels.some((l) => {
    const v = l.value.trim();
    if (v.toLowerCase() === 'self-hosted') return true;
    if (HOSTED_LABEL.test(v)) return false;
    return !hostedLabels.includes(v);
  });
}

/** Secret names a piece of source text reads through `secrets.X` / `secrets['X']`. */
export function secretNamesIn(text: string): string[] {
  const names = new Set<string>();
  const re = /\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) names.add(m[1] ?? m[2]);
  return [...names];
}

/** The source text of a job (its mapping's range). */
export function jobText(w: WorkflowFile, job: Job): string {
  return w.text.slice(job.loc.offset, job.loc.endOffset);
}

/** Actions and commands that publish, deploy or promote something (catalogue §4.1). */
const PUBLISH_ACTIONS = [
  'pypa/gh-action-pypi-publish', 'softprops/action-gh-release', 'ncipollo/release-action',
  'aws-actions/amazon-ecs-deploy-task-definition', 'google-github-actions/deploy-cloudrun', 'azure/webapps-deploy',
  'js-devtools/npm-publish', 'actions/deploy-pages', 'peaceiris/actions-gh-pages',
  'aws-actions/amazon-sagemaker-deploy', 'azure/k8s-deploy', 'google-github-actions/deploy-appengine',
];
const PUBLISH_COMMANDS =
  /\b(twine\s+upload|npm\s+publish|yarn\s+publish|pnpm\s+publish|docker\s+push|podman\s+push|gh\s+release\s+create|huggingface-cli\s+upload|hf\s+upload|poetry\s+publish|uv\s+publish|flit\s+publish|hatch\s+publish|cargo\s+publish|kubectl\s+(apply|set\s+image|rollout)|helm\s+(upgrade|install)|mlflow\s+models\s+build-docker|aws\s+sagemaker\s+(create-model|create-endpoint|update-endpoint)|gcloud\s+(run\s+deploy|ai\s+(models\s+upload|endpoints\s+deploy-model))|az\s+ml\s+(model\s+create|online-deployment)|push_to_hub|upload_folder|create_registered_model|transition_model_version_stage|set_registered_model_alias)\b/;

export function stepPublishes(step: Step): boolean {
  if (step.uses) {
    const name = actionName(step.uses.ref);
    if (name && PUBLISH_ACTIONS.some((a) => name === a || name.startsWith(`${a}/`))) return true;
    // build-push-action only pushes with `push: true` (an expression may push too).
    if (name === 'docker/build-push-action') {
      return step.with.some((kv) => kv.key === 'push' && (kv.value === 'true' || (kv.value ?? '').includes('${{')));
    }
  }
  return !!step.run && PUBLISH_COMMANDS.test(step.run.value);
}

export function jobPublishes(job: Job): boolean {
  return job.steps.some(stepPublishes);
}

export interface Privilege {
  privileged: boolean;
  reasons: string[];
}

/** Why a job is privileged (uses secrets, writes, mints OIDC tokens, has an environment, self-hosted, publishes). */
export function privilege(w: WorkflowFile, job: Job, hostedLabels: readonly string[] = []): Privilege {
  const reasons: string[] = [];
  const secrets = secretNamesIn(jobText(w, job)).filter((n) => n !== 'GITHUB_TOKEN' && n !== 'github_token');
  if (secrets.length > 0) reasons.push(`reads secrets (${secrets.slice(0, 3).join(', ')}${secrets.length > 3 ? ', …' : ''})`);
  if (job.secrets?.inherit) reasons.push('inherits all secrets');
  const perms = effectivePermissions(w, job);
  if (hasIdTokenWrite(perms)) reasons.push('can mint OIDC tokens (id-token: write)');
  else if (hasWriteScope(perms)) reasons.push('has a write-scoped GITHUB_TOKEN');
  if (job.environment) reasons.push(`deploys to environment "${job.environment.name}"`);
  if (isSelfHosted(job, hostedLabels)) reasons.push('runs on a self-hosted runner');
  if (jobPublishes(job)) reasons.push('publishes or deploys');
  return { privileged: reasons.length > 0, reasons };
}
