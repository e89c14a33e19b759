/**
 * Which per-repository settings the workflows of a swept repository make worth a REST read, decided
 * from the workflow texts the batch returned (no parse: a word test over the text is a superset of
 * what a parse would find, so a repository is never skipped because of a parser limit; a false
 * positive only costs one read). A workflow whose text the batch did not return counts as needing
 * everything.
 */
import { OUTSIDER_PRIVILEGED_TRIGGERS, OUTSIDER_UNPRIVILEGED_TRIGGERS, secretNamesIn } from '../workflows/context.js';

export interface WorkflowNeeds {
  /**
   * A workflow reads a secret other than GITHUB_TOKEN (`secrets.X`, `secrets['X']`), or every secret
   * (`secrets: inherit`, `toJSON(secrets)`, a computed `secrets[…]` index).
   */
  secrets: boolean;
  /**
   * A workflow may be triggered by a fork pull request: pull_request, pull_request_target,
   * pull_request_review(_comment), or workflow_run (which runs after a fork's pull-request workflow).
   */
  forkPullRequests: boolean;
  /**
   * Lower-cased texts of the workflows an outsider can trigger (workflows/context.ts exposure above
   * `low`): only a job of one of them makes an environment's secrets raise the severity of
   * deploy-environment-unprotected. `undefined` when a workflow text was not returned (any may).
   */
  outsiderTexts: string[] | undefined;
}

export const NO_NEEDS: WorkflowNeeds = { secrets: false, forkPullRequests: false, outsiderTexts: [] };
const ALL_NEEDS: WorkflowNeeds = { secrets: true, forkPullRequests: true, outsiderTexts: undefined };

const EVERY_SECRET = /\bsecrets\s*:\s*inherit\b|\btoJSON\s*\(\s*secrets\s*\)|\bsecrets\s*\[\s*(?!['"][^'"]*['"]\s*\])/i;
const FORK_PR_TRIGGER = /\b(pull_request|pull_request_target|pull_request_review|pull_request_review_comment|workflow_run)\b/;
const OUTSIDER_TRIGGER = new RegExp(`\\b(${[...OUTSIDER_PRIVILEGED_TRIGGERS, ...OUTSIDER_UNPRIVILEGED_TRIGGERS].join('|')})\\b`);

export function workflowNeeds(text: string | undefined): WorkflowNeeds {
  if (text === undefined) return ALL_NEEDS;
  return {
    secrets: EVERY_SECRET.test(text) || secretNamesIn(text).some((n) => n.toUpperCase() !== 'GITHUB_TOKEN'),
    forkPullRequests: FORK_PR_TRIGGER.test(text),
    outsiderTexts: OUTSIDER_TRIGGER.test(text) ? [text.toLowerCase()] : [],
  };
}

export function mergeNeeds(a: WorkflowNeeds, b: WorkflowNeeds): WorkflowNeeds {
  return {
    secrets: a.secrets || b.secrets,
    forkPullRequests: a.forkPullRequests || b.forkPullRequests,
    outsiderTexts: a.outsiderTexts && b.outsiderTexts ? [...a.outsiderTexts, ...b.outsiderTexts] : undefined,
  };
}

const NAME_CHAR = /[\w-]/;

/**
 * Whether a workflow an outsider can trigger may name the environment (GitHub compares environment
 * names case-insensitively): its text contains the name as a whole word.
 */
export function outsiderMayUse(needs: WorkflowNeeds, environment: string): boolean {
  if (!needs.outsiderTexts) return true;
  const name = environment.toLowerCase();
  if (name === '') return false;
  return needs.outsiderTexts.some((text) => {
    for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
      const before = i > 0 ? text[i - 1] : ' ';
      const after = i + name.length < text.length ? text[i + name.length] : ' ';
      if (!NAME_CHAR.test(before) && !NAME_CHAR.test(after)) return true;
    }
    return false;
  });
}
