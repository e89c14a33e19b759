/**
 * cache-poisoning (W15): a release, publish, deploy or sign job restores a GitHub Actions cache.
 * Any workflow run on the default branch (including one hijacked through an injection) can write
 * cache entries that a later release run restores and ships (the Ultralytics compromise).
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { KeyValue, Step, WorkflowFile } from '../../workflows/model.js';
import { region, stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import { jobPublishes, releaseTriggers } from './lib-release.js';
import { input, majorVersion, stepAction, stepSites, toggle } from './lib-steps.js';

type CacheState = 'on' | 'expr' | 'off';

interface CacheUse {
  state: CacheState;
  /** The input that switches the cache on, when it is an explicit one. */
  control?: KeyValue;
  severity?: Severity;
}

/** Opt-in input: caching only when the input is set (any non-empty value that is not false). */
function optIn(step: Step, key: string): CacheUse {
  const kv = input(step, key);
  const t = toggle(kv?.value);
  if (!kv || t === 'off') return { state: 'off' };
  return { state: t === 'expr' ? 'expr' : 'on', control: kv };
}

/** Opt-out input: caching unless the input is false. */
function optOut(step: Step, key: string): CacheUse {
  const kv = input(step, key);
  if (!kv) return { state: 'on' };
  const t = toggle(kv.value);
  if (t === 'off') return { state: 'off' };
  return { state: t === 'expr' ? 'expr' : 'on', control: kv };
}

/** Inverted opt-out (`lookup-only: true`, `ignore-cache: true` disable restoring). */
function disabledBy(step: Step, key: string): CacheUse {
  const kv = input(step, key);
  const t = toggle(kv?.value);
  if (t === 'on') return { state: 'off' };
  return { state: t === 'expr' ? 'expr' : 'on', control: kv };
}

const OFF: CacheUse = { state: 'off' };

/** How each cache-aware action decides whether it restores a cache (defaults per the actions' READMEs). */
const CACHE_AWARE: Record<string, (step: Step, file: WorkflowFile) => CacheUse> = {
  'actions/cache': (s) => disabledBy(s, 'lookup-only'),
  'actions/cache/restore': (s) => disabledBy(s, 'lookup-only'),
  'actions/setup-python': (s) => optIn(s, 'cache'),
  'actions/setup-java': (s) => optIn(s, 'cache'),
  'actions/setup-dotnet': (s) => optIn(s, 'cache'),
  'actions/setup-node': (s, f) => {
    const explicit = optIn(s, 'cache');
    if (explicit.state !== 'off') return explicit;
    // v5+ caches the package manager's store by default (`package-manager-cache: true`).
    const major = majorVersion(f, s);
    if (major !== undefined && major < 5) return OFF;
    return optOut(s, 'package-manager-cache');
  },
  'actions/setup-go': (s, f) => {
    const major = majorVersion(f, s);
    // `cache` defaults to true since v4.
    return major !== undefined && major < 4 ? optIn(s, 'cache') : optOut(s, 'cache');
  },
  'astral-sh/setup-uv': (s, f) => {
    const restore = input(s, 'restore-cache');
    if (restore && toggle(restore.value) === 'off') return OFF;
    const kv = input(s, 'enable-cache');
    const v = (kv?.value ?? 'auto').trim().toLowerCase();
    if (v === 'auto') {
      // `auto` caches on GitHub-hosted runners; from v10 it no longer does for release events.
      const major = majorVersion(f, s);
      return major !== undefined && major >= 10 ? OFF : { state: 'on', control: kv };
    }
    return optIn(s, 'enable-cache');
  },
  'swatinem/rust-cache': (s) => disabledBy(s, 'lookup-only'),
  'ramsey/composer-install': (s) => disabledBy(s, 'ignore-cache'),
  'mozilla-actions/sccache-action': () => ({ state: 'on' }),
  'hendrikmuhs/ccache-action': () => ({ state: 'on' }),
  'pyo3/maturin-action': (s) => optIn(s, 'sccache'),
  'docker/setup-buildx-action': (s) => {
    // The buildx binary is cached only when a version is requested.
    if ((input(s, 'version')?.value ?? '').trim() === '') return OFF;
    return optOut(s, 'cache-binary');
  },
  'docker/build-push-action': (s) => {
    const kv = input(s, 'cache-from');
    return kv && /\btype\s*=\s*gha\b/.test(kv.value ?? '') ? { state: 'on', control: kv } : OFF;
  },
  'jdx/mise-action': (s) => optOut(s, 'cache'),
  'actions-rust-lang/setup-rust-toolchain': (s) => optOut(s, 'cache'),
  'ruby/setup-ruby': (s) => optIn(s, 'bundler-cache'),
  'gradle/actions/setup-gradle': (s) => disabledBy(s, 'cache-disabled'),
  'gradle/gradle-build-action': (s) => disabledBy(s, 'cache-disabled'),
  'prefix-dev/setup-pixi': (s) => optIn(s, 'cache'),
  'mamba-org/setup-micromamba': (s) => {
    const env = optIn(s, 'cache-environment');
    return env.state !== 'off' ? env : optIn(s, 'cache-downloads');
  },
  'denoland/setup-deno': (s) => optIn(s, 'cache'),
  'graalvm/setup-graalvm': (s) => optIn(s, 'cache'),
  'determinatesystems/magic-nix-cache-action': () => ({ state: 'on' }),
  'nix-community/cache-nix-action': (s) => disabledBy(s, 'lookup-only'),
  // Restores the vulnerability database from the cache: lower impact than restoring build inputs.
  'aquasecurity/trivy-action': (s) => {
    const c = optOut(s, 'cache');
    return { ...c, severity: 'medium' };
  },
};

/** Expressions that switch caching off for tag refs (so for every tag-bound release run). */
const OFF_FOR_TAGS = [
  /^!\s*startsWith\(\s*github\.ref\s*,\s*'refs\/tags\/?'\s*\)$/i,
  /^!\s*\(\s*github\.event_name\s*==\s*'push'\s*&&\s*github\.ref_type\s*==\s*'tag'\s*\)$/i,
  /^!\s*\(\s*github\.ref_type\s*==\s*'tag'\s*\)$/i,
  /^github\.ref_type\s*!=\s*'tag'$/i,
];

function offForTags(value: string | undefined): boolean {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value ?? '');
  if (!m) return false;
  const body = m[1].trim();
  return OFF_FOR_TAGS.some((re) => re.test(body));
}

export const cachePoisoning: Check = {
  meta: {
    id: 'cache-poisoning',
    title: 'Release, publish or deploy job restores a GitHub Actions cache',
    defaultSeverity: 'high',
    severityNote: 'High; medium for caches that only hold scanner databases (trivy-action).',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-4', 'CICD-SEC-9'], slsa: 'Build L3', ssdf: ['PO.5.1', 'PW.6.1'], atlas: ['AML.T0010.001'] },
    docs: {
      why:
        'GitHub Actions caches are shared by every workflow run of the repository on the same branch and, from the default branch, ' +
        'by every other ref. Any workflow that can write the cache (a test job, a job hijacked through an injection) can plant ' +
        'poisoned dependencies or build outputs that a later release run restores and ships, even when the release workflow itself ' +
        'is hardened. This is how the Ultralytics PyPI packages were backdoored in December 2024.',
      howToFix:
        'Do not restore caches in jobs that publish, deploy or sign. Remove `actions/cache`, drop the `cache:` input of `setup-*` ' +
        'actions, set `enable-cache: false` (setup-uv), `package-manager-cache: false` (setup-node v5+), `cache: false` (setup-go), ' +
        '`lookup-only: true` (rust-cache) or drop `cache-from: type=gha` from `docker/build-push-action`; or gate the toggle with ' +
        "`${{ !startsWith(github.ref, 'refs/tags/') }}` when the workflow only releases from tags. Build from a clean state in the release job.",
      references: [
        'https://adnanthekhan.com/2024/05/06/the-monsters-in-your-build-cache-github-actions-cache-poisoning/',
        'https://blog.yossarian.net/2024/12/06/zizmor-ultralytics-injection',
        'https://docs.zizmor.sh/audits/#cache-poisoning',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/dependency-caching#restrictions-for-accessing-a-cache',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    const publishing = new Map<string, boolean>();
    for (const { file, job, step } of stepSites(input)) {
      const name = stepAction(step);
      if (!name || !step.uses) continue;
      const decide = CACHE_AWARE[name];
      if (!decide) continue;
      const use = decide(step, file);
      if (use.state === 'off') continue;

      const key = `${file.path}\0${job.id}`;
      let publishes = publishing.get(key);
      if (publishes === undefined) publishing.set(key, (publishes = jobPublishes(file, job)));
      const triggers = releaseTriggers(file);
      const releaseByTrigger = triggers.tagBound || triggers.releaseBranch;
      if (!releaseByTrigger && !publishes) continue;

      if (use.state === 'expr' && offForTags(use.control?.value)) {
        // Caching is off for tag refs: safe when every run that makes this job a release is tag-bound.
        const tagOnlyRelease = publishes ? triggers.onlyTagBound : !triggers.releaseBranch;
        if (tagOnlyRelease) continue;
      }

      const why = releaseByTrigger
        ? triggers.tagBound
          ? 'a workflow triggered by releases or tags'
          : 'a workflow triggered by pushes to a release branch'
        : 'a job that publishes';
      const how = use.control ? ` (\`${use.control.key}: ${(use.control.value ?? '').trim().slice(0, 40)}\`)` : '';
      out.push({
        severity: use.severity ?? 'high',
        message: `${stepLabel(step)} of job "${job.id}" restores a GitHub Actions cache through ${name}${how} in ${why}.`,
        path: file.path,
        region: region(step.uses.loc),
        job: job.id,
        step: stepLabel(step),
        fixable: true,
        data: { action: name, ...(use.control ? { input: use.control.key } : {}), conditional: use.state === 'expr' },
      });
    }
    return out;
  },
};
