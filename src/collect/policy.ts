/**
 * The policy for one repository: the organisation's `.github/pipeline-guard.yml` in its `.github`
 * repository, then the repository's own file, both read from the default branch with Probot's config
 * loader (`octokit.config.get`, which follows `_extends`), validated with `policyFromObject` and merged
 * with `mergePolicies` (organisation locks win).
 *
 * The file a pull request changes is NOT used for that pull request: policy comes from the default
 * branch, so a PR cannot switch off the checks that judge it.
 *
 * An invalid file never crashes the audit: `error` says what is wrong, and the policy that could still
 * be read is returned (the organisation's when only the repository file is invalid, else the defaults).
 */
import type { ProbotOctokit } from 'probot';
import { CHECK_IDS, checkById } from '../checks/registry.js';
import { DEFAULT_POLICY_PATH, emptyPolicy, PolicyError, policyFromObject, type Policy } from '../policy/config.js';
import { mergePolicies } from '../policy/merge.js';

export type ConfigOctokit = Pick<InstanceType<typeof ProbotOctokit>, 'config'>;

export interface LoadedPolicy {
  policy: Policy;
  /** Repository settings refused by the organisation lock, for the check-run summary. */
  refused: string[];
  /** Set when a policy file could not be parsed or validated. */
  error?: PolicyError;
}

const LOADER_PREFIX = '[@probot/octokit-plugin-config] ';

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  config: Record<string, unknown> | null;
}

/**
 * The files the loader read for one repository: `[own file, ...its _extends bases]`, or, when the
 * repository has no file, `[absent, {owner}/.github file, ...its bases]` (the loader's own fallback).
 */
async function readFiles(octokit: ConfigOctokit, owner: string, repo: string): Promise<ConfigFile[]> {
  try {
    const res = await octokit.config.get({ owner, repo, path: DEFAULT_POLICY_PATH });
    return res.files as ConfigFile[];
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    // The loader's own errors (invalid YAML, not a mapping, bad _extends, recursion) are policy errors;
    // anything else (GitHub failing after retries) is an error of the audit.
    if (!message.startsWith(LOADER_PREFIX)) throw err;
    const where = /\/repos\/([^/\s]+)\/([^/\s]+)\/contents\//.exec(message);
    const source = where ? `${where[1]}/${where[2]}:${DEFAULT_POLICY_PATH}` : `${owner}/${repo}:${DEFAULT_POLICY_PATH}`;
    throw new PolicyError(message.slice(LOADER_PREFIX.length).replace(/https?:\/\/\S+/g, 'the file'), source);
  }
}

/** Later files are `_extends` bases: the first file wins, key by key (the loader's own rule). */
function compose(files: ConfigFile[]): Record<string, unknown> | undefined {
  const layers = files.filter((f) => f.config !== null).map((f) => f.config as Record<string, unknown>);
  return layers.length === 0 ? undefined : (Object.assign({}, ...layers.reverse()) as Record<string, unknown>);
}

function defaultSeverityOf(id: string) {
  return checkById(id)?.meta.defaultSeverity;
}

function isOrgSource(err: PolicyError, owner: string): boolean {
  return err.source.toLowerCase() === `${owner}/.github:${DEFAULT_POLICY_PATH}`.toLowerCase();
}

/**
 * Requests: `GET {repo}/contents/.github/pipeline-guard.yml`; when it is absent, the loader reads the
 * organisation file itself (one more request); when it exists, the organisation file is read next.
 */
export async function loadPolicy(octokit: ConfigOctokit, target: { owner: string; repo: string }): Promise<LoadedPolicy> {
  const { owner, repo } = target;
  const orgSource = `${owner}/.github:${DEFAULT_POLICY_PATH}`;
  const isOrgFile = (f: ConfigFile): boolean => f.owner.toLowerCase() === owner.toLowerCase() && f.repo === '.github' && f.path === DEFAULT_POLICY_PATH;
  const orgPolicy = (files: ConfigFile[]): Policy | undefined => {
    const raw = compose(files);
    return raw === undefined ? undefined : policyFromObject(raw, orgSource, CHECK_IDS);
  };
  const readOrg = async (): Promise<Policy | undefined> => orgPolicy(await readFiles(octokit, owner, '.github'));

  try {
    if (repo === '.github') return { policy: (await readOrg()) ?? emptyPolicy(), refused: [] };
    const files = await readFiles(octokit, owner, repo);
    if (files[0]?.config == null) {
      // No repository file: what the loader read next is the organisation's.
      return { policy: orgPolicy(files.slice(1)) ?? emptyPolicy(), refused: [] };
    }
    // A repository that `_extends: .github` gets the organisation policy through the merge below.
    const raw = compose(files.filter((f, i) => i === 0 || !isOrgFile(f)));
    let repoPolicy: Policy;
    try {
      repoPolicy = policyFromObject(raw, DEFAULT_POLICY_PATH, CHECK_IDS);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      return { policy: (await readOrgOrDefaults()) ?? emptyPolicy(), refused: [], error: err };
    }
    const merged = mergePolicies(await readOrg(), repoPolicy, defaultSeverityOf);
    return { policy: merged.policy, refused: merged.refused };
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    // The repository file is broken: the organisation policy still applies. The organisation file is broken: defaults.
    const fallback = isOrgSource(err, owner) ? undefined : await readOrgOrDefaults();
    return { policy: fallback ?? emptyPolicy(), refused: [], error: err };
  }

  async function readOrgOrDefaults(): Promise<Policy | undefined> {
    try {
      return await readOrg();
    } catch (e) {
      if (e instanceof PolicyError) return undefined;
      throw e;
    }
  }
}
