/**
 * Pull-request code in privileged runs: which steps check out PR-controlled code, which steps
 * execute the workspace, and which `if:` gates keep fork pull requests out.
 */
import { actionName } from '../../workflows/uses.js';
import type { Step } from '../../workflows/model.js';
import type { Loc } from '../../workflows/model.js';

/** Triggers that run with the base repository's token and secrets while handling a PR's code or data. */
export const PR_PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment'];

const PR_REF =
  /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|merge_commit_sha|github\.event\.workflow_run\.head_(sha|branch)|github\.event\.workflow_run\.pull_requests|github\.event\.issue\.number|github\.event\.number|github\.event\.pull_request\.number|steps\.[\w-]+\.outputs\.[\w-]*(head|sha|pr_ref|pr-ref)/i;
const PR_REPO = /pull_request\.head\.repo\.full_name|workflow_run\.head_repository\.full_name|head\.repo\.full_name/i;
const RUN_PR_CHECKOUT =
  /\bgh\s+pr\s+checkout\b|\bhub\s+pr\s+checkout\b|\bgit\s+(fetch|pull)\b[^\n]*\bpull\/|\bgit\s+(checkout|switch|reset)\b[^\n]*FETCH_HEAD|\bgit\s+(fetch|checkout|pull|switch)\b[^\n]*\$\{\{\s*(github\.head_ref|github\.event\.pull_request\.head\.(ref|sha)|github\.event\.workflow_run\.head_(sha|branch))/i;

export interface PrCheckout {
  step: Step;
  /** The node to report: the `ref:`/`repository:` value or the `run:` script. */
  loc: Loc;
  what: string;
}

function isCheckout(step: Step): boolean {
  if (!step.uses) return false;
  return actionName(step.uses.ref) === 'actions/checkout';
}

/** A step that brings PR-controlled code into the workspace. */
export function prCheckoutOf(step: Step): PrCheckout | undefined {
  if (isCheckout(step)) {
    const ref = step.with.find((kv) => kv.key === 'ref');
    if (ref?.value && PR_REF.test(ref.value)) return { step, loc: ref.loc, what: `ref: ${short(ref.value)}` };
    const repo = step.with.find((kv) => kv.key === 'repository');
    if (repo?.value && PR_REPO.test(repo.value)) return { step, loc: repo.loc, what: `repository: ${short(repo.value)}` };
    return undefined;
  }
  if (step.run) {
    const m = RUN_PR_CHECKOUT.exec(step.run.value);
    if (m) return { step, loc: step.run.loc, what: short(m[0]) };
  }
  return undefined;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 70 ? `${one.slice(0, 67)}...` : one;
}

/** Commands that only read or report data: a run made of these does not execute the checked-out tree. */
const DATA_ONLY = new Set([
  'echo', 'printf', 'cat', 'ls', 'grep', 'egrep', 'head', 'tail', 'wc', 'jq', 'yq', 'diff', 'cmp', 'sort', 'uniq', 'cut', 'tr',
  'test', '[', 'true', 'false', 'exit', 'set', 'export', 'cd', 'mkdir', 'cp', 'mv', 'rm', 'touch', 'sha256sum', 'shasum',
  'md5sum', 'stat', 'file', 'find', 'basename', 'dirname', 'date', 'pwd', 'if', 'then', 'else', 'fi', 'for', 'do', 'done',
  'while', 'case', 'esac', 'sleep', 'gh', 'curl', 'zip', 'tar', 'unzip', 'base64', 'tee', 'read', 'local', 'declare',
  'elif', '[[', ']]', 'trap', 'wait', 'fi\'', 'return', 'continue', 'break', 'shift', 'unset', 'awk', 'sed', 'xargs', 'openssl',
]);
const GIT_DATA_SUBCOMMANDS = /^git\s+(?:-C\s+\S+\s+)?(diff|log|status|rev-parse|show|ls-files|fetch|config|remote|branch|merge-base|checkout|switch|reset|clone|add|commit|push|tag|pull|describe|cat-file)\b/;

/** Remote actions that build or execute the code in the workspace. */
const EXECUTING_ACTIONS = [
  'docker/build-push-action', 'pre-commit/action', 'github/codeql-action/autobuild', 'cypress-io/github-action',
  'bahmutov/npm-install', 'gradle/gradle-build-action', 'borales/actions-yarn', 'pypa/cibuildwheel', 'pypa/gh-action-pypi-publish',
  'golangci/golangci-lint-action', 'nick-fields/retry', 'coactions/setup-xvfb', 'gabrielbb/xvfb-action', 'addnab/docker-run-action',
  'actions/jekyll-build-pages', 'julia-actions/julia-buildpkg', 'julia-actions/julia-runtest', 'dtolnay/rust-toolchain',
];

function commandWords(script: string): string[] {
  const words: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    for (const seg of line.split(/\|\||&&|;|\|/)) {
      let s = seg.trim().replace(/^(sudo\s+|time\s+|!\s*|then\s+|do\s+|else\s+)/, '');
      // `VAR=$(cmd …)`: the command inside the substitution is what runs; `VAR=value` alone runs nothing.
      const assign = /^[A-Za-z_]\w*=(?:"?\$\(\s*)?/.exec(s);
      if (assign) s = s.slice(assign[0].length).trim();
      if (!s || /^("[^"]*"|'[^']*'|[^\s"'$(]*)$/.test(s) && assign) continue;
      words.push(s);
    }
  }
  return words;
}

/** True when a run script does more than read and report files. */
function runExecutes(script: string): boolean {
  const stripped = script.replace(/<<-?\s*['"]?(\w+)['"]?[\s\S]*?\n\s*\1\s*(\n|$)/g, '\n');
  // Shell functions the script defines itself are judged by their bodies, not by their names.
  const local = new Set<string>();
  for (const m of stripped.matchAll(/^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)/gm)) local.add(m[1]);
  for (const cmd of commandWords(stripped)) {
    const word = cmd.split(/\s+/)[0].replace(/^["']|["']$/g, '').replace(/\(\)$/, '');
    if (/^(\}|\{|\(|\)|function)$/.test(word) || local.has(word)) continue;
    if (word === 'git') {
      if (GIT_DATA_SUBCOMMANDS.test(cmd)) continue;
      return true;
    }
    if (!DATA_ONLY.has(word)) return true;
  }
  return false;
}

/** Why a step executes code from the workspace, or undefined when it does not. */
export function stepExecutes(step: Step): string | undefined {
  if (step.run) return runExecutes(step.run.value) ? stepText(step) : undefined;
  if (!step.uses) return undefined;
  const ref = step.uses.ref;
  if (ref.kind === 'local') return `local action ${step.uses.value.trim()}`;
  const name = actionName(ref);
  if (name && EXECUTING_ACTIONS.some((a) => name === a || name.startsWith(`${a}/`))) return step.uses.value.trim();
  if (name === 'ruby/setup-ruby' && step.with.some((kv) => kv.key === 'bundler-cache' && kv.value === 'true')) return 'ruby/setup-ruby (bundle install)';
  return undefined;
}

function stepText(step: Step): string {
  const first = step.run?.value.split('\n').find((l) => l.trim() !== '') ?? '';
  return short(first.trim());
}

/** An `if:` that keeps fork pull requests out: same-repository or not-a-fork conditions, ANDed in. */
export function forkGated(cond: string | undefined): boolean {
  if (!cond) return false;
  const c = cond.replace(/\s+/g, ' ');
  if (/\|\|/.test(c)) return false;
  return (
    /head\.repo\.full_name\s*==\s*github\.repository\b/.test(c) ||
    /github\.repository\s*==\s*github\.event\.pull_request\.head\.repo\.full_name/.test(c) ||
    /head\.repo\.fork\s*(==\s*false\b|!=\s*true\b)/.test(c) ||
    /!\s*github\.event\.pull_request\.head\.repo\.fork\b/.test(c) ||
    /workflow_run\.head_repository\.full_name\s*==\s*github\.repository\b/.test(c) ||
    /workflow_run\.head_repository\.fork\s*(==\s*false\b|!=\s*true\b)/.test(c)
  );
}
