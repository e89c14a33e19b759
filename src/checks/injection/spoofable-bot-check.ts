import type { Check } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Scalar, WorkflowFile } from '../../workflows/model.js';
import { exposure, privilege, triggerNames } from '../../workflows/context.js';
import { region, stepLabel } from '../locs.js';

/** Numeric ids of well-known bot accounts (`github.actor_id` checks). */
const BOT_IDS: Record<string, string> = {
  '49699333': 'dependabot[bot]',
  '29139614': 'renovate[bot]',
  '41898282': 'github-actions[bot]',
  '27856297': 'dependabot-preview[bot]',
};

const ACTOR = String.raw`github\.(?:actor|triggering_actor|event\.sender\.login)`;
const LITERAL = String.raw`'([^']*)'`;
const EQ_PATTERNS: RegExp[] = [
  new RegExp(String.raw`${ACTOR}\s*==\s*${LITERAL}`, 'g'),
  new RegExp(String.raw`${LITERAL}\s*==\s*${ACTOR}`, 'g'),
  new RegExp(String.raw`(?:contains|startsWith|endsWith)\(\s*${ACTOR}\s*,\s*${LITERAL}\s*\)`, 'gi'),
];
const ID_PATTERNS: RegExp[] = [
  /github\.actor_id\s*==\s*'?(\d+)'?/g,
  /'?(\d+)'?\s*==\s*github\.actor_id/g,
];

/** Lower-cases context names and turns `github['actor']` into `github.actor`; literals keep their case. */
function normalise(cond: string): string {
  return cond
    .replace(/\[\s*'([\w-]+)'\s*\]/g, (_m, k: string) => `.${k}`)
    .replace(/'(?:[^']|'')*'|[^']+/g, (part) => (part.startsWith("'") ? part : part.toLowerCase()));
}

/** The bot login a condition trusts `github.actor` to be, if any. */
function spoofedBot(cond: string): string | undefined {
  const c = normalise(cond);
  // Already anchored on the pull request's author (cannot be spoofed by a later push or comment).
  if (/github\.event\.pull_request\.user\.login\s*==/.test(c) || /github\.event\.pull_request\.user\.id\s*==/.test(c)) return undefined;
  for (const re of EQ_PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(c)) !== null) {
      const lit = m[1];
      if (/\[bot\]$/i.test(lit) || /^(dependabot|renovate|github-actions)/i.test(lit)) return lit;
    }
  }
  for (const re of ID_PATTERNS) {
    re.lastIndex = 0;
    const m = re.exec(c);
    if (m && BOT_IDS[m[1]]) return BOT_IDS[m[1]];
  }
  return undefined;
}

/** The author field that cannot be spoofed, per trigger, for the suggested fix. */
/**
 * The identity the condition meant to check, from the event payload (which an actor cannot fake):
 * the author of the comment or review that triggered the run, else the PR author.
 */
function replacementFor(w: WorkflowFile): string {
  const t = triggerNames(w);
  if (t.has('pull_request_target') || t.has('pull_request')) return 'github.event.pull_request.user.login';
  if (t.has('pull_request_review')) return 'github.event.review.user.login';
  if (t.has('pull_request_review_comment') || t.has('issue_comment')) return 'github.event.comment.user.login';
  if (t.has('workflow_run')) return 'github.event.workflow_run.triggering_actor.login';
  if (t.has('issues')) return 'github.event.issue.user.login';
  return 'github.event.pull_request.user.login';
}

export const spoofableBotCheck: Check = {
  meta: {
    id: 'spoofable-bot-check',
    title: 'Bot identity checked through github.actor',
    defaultSeverity: 'medium',
    severityNote: 'High when the gated job is privileged (secrets, write scopes, OIDC, environment, publishing); medium otherwise. Only outsider-reachable triggers are checked.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4'], ssdf: ['PW.5.1'], atlas: [] },
    docs: {
      why:
        '`github.actor` is whoever caused the latest event, not the author of the pull request. When a bot such as Dependabot ' +
        'updates or rebases a pull request (or an attacker makes it do so, e.g. with `@dependabot recreate` on their own fork), ' +
        'the next run sees `github.actor == \'dependabot[bot]\'` even though the code came from someone else, and a condition ' +
        'meant to auto-approve or auto-merge bot updates runs privileged steps on attacker code.',
      howToFix:
        "Check the pull request's author instead: `github.event.pull_request.user.login == 'dependabot[bot]'`, and for Dependabot " +
        'prefer `dependabot/fetch-metadata`. Do not combine the bot check with a checkout of the pull request head.',
      references: [
        'https://docs.zizmor.sh/audits/#bot-conditions',
        'https://www.synacktiv.com/publications/github-actions-exploitation-dependabot',
        'https://docs.github.com/en/code-security/dependabot/working-with-dependabot/automating-dependabot-with-github-actions',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      if (exposure(w) !== 'high') continue;
      const replacement = replacementFor(w);
      for (const job of w.jobs) {
        const priv = privilege(w, job, input.options.hostedRunnerLabels);
        const severity: Severity = priv.privileged ? 'high' : 'medium';
        const gates: { cond: Scalar; where: string; step?: string }[] = [];
        if (job.if) gates.push({ cond: job.if, where: `job "${job.id}"` });
        for (const step of job.steps) if (step.if) gates.push({ cond: step.if, where: `job "${job.id}" ${stepLabel(step)}`, step: stepLabel(step) });
        for (const g of gates) {
          const bot = spoofedBot(g.cond.value);
          if (!bot) continue;
          out.push({
            severity,
            message: `The condition on ${g.where} trusts github.actor to be '${bot}', which anyone can make true by getting the bot to act on their pull request; check ${replacement} instead.`,
            path: w.path,
            region: region(g.cond.loc),
            job: job.id,
            step: g.step,
            fixable: true,
            data: { bot, replacement },
          });
        }
      }
    }
    return out;
  },
};
