/**
 * publish-token-not-oidc (W11): packages published with a long-lived registry token where the
 * registry offers trusted publishing (OIDC): PyPI, npm, crates.io, RubyGems, NuGet. Hugging Face Hub
 * has no trusted publishing: a token push there is reported (medium) only outside an `environment:`.
 */
import type { FindingDraft, Severity } from '../../model/types.js';
import type { Job, KeyValue, Step, WorkflowFile } from '../../workflows/model.js';
import { effectivePermissions, exposure, hasIdTokenWrite } from '../../workflows/context.js';
import { region, pointRegion, stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import {
  input as withInput, isEcho, nextOperand, programsOf, readsSecret, scriptCommands, stepSites, toggle, usesAction,
  type ScriptCommand,
} from './lib-steps.js';

type Registry = 'pypi' | 'npm' | 'crates.io' | 'rubygems' | 'nuget' | 'huggingface';

const REGISTRY_LABEL: Record<Registry, string> = {
  pypi: 'PyPI', npm: 'npm', 'crates.io': 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet', huggingface: 'the Hugging Face Hub',
};

/** The public npm registry (the corpus placeholder `npm.registry.example` stands for it). */
const NPM_PUBLIC = /^https?:\/\/(registry\.npmjs\.org|registry\.npmjs\.com|npm\.registry\.example)\/?$/i;
const PYPI_PUBLIC = /^https?:\/\/(upload\.pypi\.org|test\.pypi\.org)(\/legacy)?\/?$/i;
const RUBYGEMS_PUBLIC = /^https?:\/\/rubygems\.org\/?$/i;

/** Publishing commands: program, verbs that publish, registry. */
const COMMANDS: { program: string; verbs: string[]; registry: Registry }[] = [
  { program: 'twine', verbs: ['upload'], registry: 'pypi' },
  { program: 'uv', verbs: ['publish'], registry: 'pypi' },
  { program: 'poetry', verbs: ['publish'], registry: 'pypi' },
  { program: 'flit', verbs: ['publish'], registry: 'pypi' },
  { program: 'hatch', verbs: ['publish'], registry: 'pypi' },
  { program: 'pdm', verbs: ['publish'], registry: 'pypi' },
  { program: 'maturin', verbs: ['publish', 'upload'], registry: 'pypi' },
  { program: 'npm', verbs: ['publish'], registry: 'npm' },
  { program: 'pnpm', verbs: ['publish'], registry: 'npm' },
  { program: 'yarn', verbs: ['publish'], registry: 'npm' },
  { program: 'bun', verbs: ['publish'], registry: 'npm' },
  { program: 'cargo', verbs: ['publish'], registry: 'crates.io' },
  { program: 'gem', verbs: ['push'], registry: 'rubygems' },
  { program: 'nuget', verbs: ['push'], registry: 'nuget' },
];

/** Environment variables that carry a registry credential for the commands above. */
const TOKEN_ENV = /^(TWINE_PASSWORD|TWINE_TOKEN|UV_PUBLISH_TOKEN|UV_PUBLISH_PASSWORD|POETRY_PYPI_TOKEN_\w+|POETRY_HTTP_BASIC_\w+_PASSWORD|FLIT_PASSWORD|HATCH_INDEX_AUTH|PDM_PUBLISH_PASSWORD|MATURIN_PYPI_TOKEN|MATURIN_PASSWORD|NODE_AUTH_TOKEN|NPM_TOKEN|NPM_AUTH_TOKEN|NPM_CONFIG__AUTH\w*|YARN_NPM_AUTH_TOKEN|BUN_AUTH_TOKEN|CARGO_REGISTRY_TOKEN|GEM_HOST_API_KEY|RUBYGEMS_API_KEY|NUGET_API_KEY|NUGET_AUTH_TOKEN)$/i;
const TOKEN_FLAGS = /^(-p|--password|-t|--token|-k|--api-key|-u|--username)$/;
const HF_TOKEN_ENV = /^(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_TOKEN|HUGGINGFACE_HUB_TOKEN|HF_API_TOKEN)$/i;

interface Hit {
  registry: Registry;
  line: number;
  column: number;
  what: string;
}

function envCarriesToken(envs: KeyValue[][], re: RegExp): boolean {
  return envs.some((env) => env.some((kv) => re.test(kv.key) && readsSecret(kv.value)));
}

/**
 * A credential flag's value is a stored token when it reads a secret, names an environment variable
 * loaded from a secret, or is a literal. A variable filled from another step (an OIDC exchange) is not.
 */
function flagValueIsStoredToken(value: string, envs: KeyValue[][]): boolean {
  if (readsSecret(value)) return true;
  const v = /^\$\{?(\w+)\}?$|^\$env:(\w+)$/i.exec(value);
  if (v) {
    const name = v[1] ?? v[2];
    return envs.some((env) => env.some((kv) => kv.key === name && readsSecret(kv.value)));
  }
  return !value.includes('${{') && !value.startsWith('$');
}

/** Registry given on the command line (`--repository-url`, `--registry`, `--publish-url`, `--source`…). */
function commandRegistry(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const m = /^--?(repository-url|repository_url|registry|publish-url|index-url|source|host)(?:=(.*))?$/i.exec(words[i]);
    if (m) return m[2] ?? words[i + 1];
  }
  return undefined;
}

function publicRegistry(registry: Registry, url: string | undefined): boolean {
  if (url === undefined) return true;
  if (url.includes('${{') || url.startsWith('$')) return false;
  switch (registry) {
    case 'npm':
      return NPM_PUBLIC.test(url);
    case 'pypi':
      return PYPI_PUBLIC.test(url) || /^(pypi|testpypi)$/i.test(url);
    case 'rubygems':
      return RUBYGEMS_PUBLIC.test(url);
    case 'nuget':
      return /^https?:\/\/(api|www)\.nuget\.org\//i.test(url) || /^nuget\.org$/i.test(url);
    default:
      return true;
  }
}

/** Publishing commands of one `run:` script. */
function publishCommands(commands: ScriptCommand[]): { registry: Registry; cmd: ScriptCommand; at: number }[] {
  const out: { registry: Registry; cmd: ScriptCommand; at: number }[] = [];
  for (const cmd of commands) {
    if (isEcho(cmd.words)) continue;
    if (cmd.words.some((w) => /^--dry-run$|^--dry_run$/.test(w))) continue;
    const progs = programsOf(cmd.words);
    for (let i = 0; i < cmd.words.length; i++) {
      const prog = progs[i];
      const spec = COMMANDS.find((c) => c.program === prog);
      if (!spec) continue;
      const op = nextOperand(cmd.words, i);
      if (!op || !spec.verbs.includes(op.word.toLowerCase())) continue;
      if (spec.registry === 'crates.io' && cmd.words.includes('-n')) continue;
      out.push({ registry: spec.registry, cmd, at: i });
      break;
    }
  }
  return out;
}

const HF_UPLOAD = /\b(huggingface-cli\s+upload|hf\s+upload|push_to_hub\s*\(|upload_folder\s*\(|upload_file\s*\(|upload_large_folder\s*\(|create_commit\s*\()/;

/** The `registry-url` set up by an earlier `actions/setup-node` step of the job, if any. */
function nodeRegistry(job: Job, before: number): string | undefined {
  let url: string | undefined;
  for (const s of job.steps) {
    if (s.index >= before) break;
    if (usesAction(s, 'actions/setup-node')) url = withInput(s, 'registry-url')?.value?.trim() ?? url;
  }
  return url;
}

function severityFor(file: WorkflowFile, base: Severity): Severity {
  return exposure(file) === 'high' && base === 'high' ? 'critical' : base;
}

/** Findings on `uses:` steps: publishing actions given a token input. */
function actionHits(step: Step): Hit[] {
  if (!step.uses) return [];
  const at = { line: step.uses.loc.line, column: step.uses.loc.column };
  const value = (k: string): string | undefined => withInput(step, k)?.value?.trim();
  if (usesAction(step, 'pypa/gh-action-pypi-publish')) {
    const password = value('password');
    if (!password) return [];
    const url = value('repository-url') ?? value('repository_url');
    if (!publicRegistry('pypi', url)) return [];
    return [{ registry: 'pypi', ...at, what: 'passes an API token as `password:` to pypa/gh-action-pypi-publish' }];
  }
  if (usesAction(step, 'rubygems/release-gem')) {
    const kv = withInput(step, 'setup-trusted-publisher');
    return kv && toggle(kv.value) === 'off' ? [{ registry: 'rubygems', ...at, what: 'turns off trusted publishing in rubygems/release-gem' }] : [];
  }
  if (usesAction(step, 'rubygems/configure-rubygems-credentials')) {
    if (!value('api-token')) return [];
    return publicRegistry('rubygems', value('gem-server'))
      ? [{ registry: 'rubygems', ...at, what: 'configures a RubyGems API token' }]
      : [];
  }
  if (usesAction(step, 'actions/setup-node')) {
    const auth = withInput(step, 'always-auth');
    if (!auth || toggle(auth.value) !== 'on') return [];
    return publicRegistry('npm', value('registry-url'))
      ? [{ registry: 'npm', ...at, what: 'sets up token authentication to the npm registry (`always-auth`)' }]
      : [];
  }
  if (usesAction(step, 'js-devtools/npm-publish')) {
    if (!value('token')) return [];
    return publicRegistry('npm', value('registry')) ? [{ registry: 'npm', ...at, what: 'passes an npm token to JS-DevTools/npm-publish' }] : [];
  }
  if (usesAction(step, 'katyo/publish-crates')) {
    return value('registry-token') ? [{ registry: 'crates.io', ...at, what: 'passes a crates.io token to katyo/publish-crates' }] : [];
  }
  return [];
}

export const publishTokenNotOidc: Check = {
  meta: {
    id: 'publish-token-not-oidc',
    title: 'Package published with a long-lived registry token instead of trusted publishing',
    defaultSeverity: 'high',
    severityNote:
      'High; critical when outsiders can trigger the workflow; medium for Hugging Face Hub pushes (no trusted publishing) outside an environment.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6', 'CICD-SEC-9'], slsa: 'Build L2', ssdf: ['PO.5.1', 'PS.2.1'], atlas: ['AML.T0012'] },
    docs: {
      why:
        'A registry API token stored as a secret is valid for months, works from anywhere, and is exfiltrated by any compromised step ' +
        'of any job that can read it: leaked publish tokens are how the Ultralytics (second wave), nx and elementary-data packages were ' +
        'backdoored. PyPI, npm, crates.io, RubyGems and NuGet support trusted publishing: the workflow exchanges a short-lived GitHub OIDC ' +
        'token, bound to the repository, workflow and environment, for a one-off upload credential, so there is no secret to steal.',
      howToFix:
        'Configure a trusted publisher on the registry (repository, workflow file, environment), give the publishing job ' +
        '`permissions: id-token: write` and `environment: <name>`, remove `password:` / the token environment variable, then revoke ' +
        'the old token. For PyPI: `pypa/gh-action-pypi-publish` without `password:`; for npm: npm CLI 11.5+ with `id-token: write`. ' +
        'The Hugging Face Hub has no trusted publishing: use a fine-grained token scoped to the target repositories, stored as a ' +
        'secret of a protected environment.',
      references: [
        'https://docs.pypi.org/trusted-publishers/',
        'https://docs.npmjs.com/trusted-publishers',
        'https://crates.io/docs/trusted-publishing',
        'https://guides.rubygems.org/trusted-publishing/',
        'https://learn.microsoft.com/en-us/nuget/nuget-org/trusted-publishing',
        'https://docs.zizmor.sh/audits/#use-trusted-publishing',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const { file, job, step } of stepSites(input)) {
      const label = stepLabel(step);
      const where = job.id === '(composite)' ? `${label} of the composite action` : `${label} of job "${job.id}"`;
      for (const h of actionHits(step)) {
        out.push({
          severity: severityFor(file, 'high'),
          message: `${where} ${h.what}; ${REGISTRY_LABEL[h.registry]} supports trusted publishing (OIDC).`,
          path: file.path,
          region: region(step.uses!.loc),
          job: job.id,
          step: label,
          fixable: h.registry === 'pypi',
          data: { registry: h.registry, via: 'action' },
        });
      }
      if (!step.run) continue;
      const envs = [step.env, job.env, file.env];
      const inlineSecret = readsSecret(step.run.value);
      const composite = job.id === '(composite)';
      const idToken = !composite && hasIdTokenWrite(effectivePermissions(file, job));
      const commands = scriptCommands(file, step.run);
      for (const { registry, cmd } of publishCommands(commands)) {
        const url = commandRegistry(cmd.words) ?? (registry === 'npm' ? nodeRegistry(job, step.index) : undefined);
        if (!publicRegistry(registry, url)) continue;
        if (cmd.words.some((w) => w === '--trusted-publishing' || w.startsWith('--trusted-publishing='))) continue;
        const tokenFlag = cmd.words.some((w, i) => {
          const eq = /^(--token|--password|--api-key)=(.+)$/.exec(w);
          const value = eq ? eq[2] : TOKEN_FLAGS.test(w) ? cmd.words[i + 1] : undefined;
          return value !== undefined && flagValueIsStoredToken(value, envs);
        });
        const token = inlineSecret || tokenFlag || envCarriesToken(envs, TOKEN_ENV);
        // With `id-token: write` and no stored credential in sight, the command can use trusted publishing.
        if (!token && (idToken || composite)) continue;
        const how = token ? 'with a stored token' : 'without `id-token: write`, so with a stored token';
        out.push({
          severity: severityFor(file, 'high'),
          message: `${where} publishes to ${REGISTRY_LABEL[registry]} (\`${cmd.words.slice(0, 4).join(' ').slice(0, 50)}\`) ${how} instead of trusted publishing.`,
          path: file.path,
          region: pointRegion(cmd.line, 1),
          job: job.id,
          step: label,
          fixable: false,
          data: { registry, via: 'command' },
        });
      }
      // Hugging Face Hub: no trusted publishing; a token push must at least be environment-gated.
      if (!job.environment && !composite && HF_UPLOAD.test(step.run.value)) {
        const hfToken =
          envCarriesToken(envs, HF_TOKEN_ENV) || /--token[\s=]+\S*\$\{\{\s*secrets\./.test(step.run.value) || /token\s*=\s*\S*\$\{\{\s*secrets\./.test(step.run.value);
        if (hfToken) {
          const line = commands.find((c) => HF_UPLOAD.test(c.text))?.line ?? step.run.loc.line;
          out.push({
            severity: 'medium',
            message: `${where} pushes to the Hugging Face Hub with a long-lived token outside a protected environment.`,
            path: file.path,
            region: pointRegion(line, 1),
            job: job.id,
            step: label,
            fixable: false,
            data: { registry: 'huggingface', via: 'command' },
          });
        }
      }
    }
    return out;
  },
};
