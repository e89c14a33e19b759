/**
 * Organisation-level Actions settings, read at most once per sweep (lazily: an organisation whose
 * repositories never need them pays nothing), and what they settle for every repository:
 * - `GET /orgs/{org}/actions/permissions`: `enabled_repositories: none` means Actions is off everywhere;
 * - `GET /orgs/{org}/actions/permissions/workflow`: GitHub documents that when the organisation
 *   chooses the restricted (read) token default, repositories cannot choose write, and when it does
 *   not let Actions approve pull requests, repositories cannot either;
 * - `GET /orgs/{org}/actions/permissions/fork-pr-workflows-private-repos`: when the organisation does
 *   not run fork pull-request workflows of private repositories, a repository cannot enable them;
 * - `GET /orgs/{org}/actions/secrets` (+ `…/{secret_name}/repositories` once per secret with
 *   `selected` visibility): which organisation secret names each repository receives.
 * A value these do not settle is read per repository (sweep/settings.ts), or reported as not read.
 */
import type { Probe } from '../model/settings.js';
import { restGet, type OctokitLike } from '../collect/github-rest.js';
import { forkPrPrivateProbe, workflowPermissionsProbe, type ForkPrPrivateReply, type WorkflowPermissionsReply } from '../collect/github-settings.js';

export interface OrgSecret {
  name: string;
  updatedAt?: string;
  visibility: string;
  /** Repository names a `selected` secret is shared with. */
  repositories?: ReadonlySet<string>;
}

export interface OrgWorkflowDefault {
  defaultWorkflowPermissions: 'read' | 'write';
  canApprovePullRequestReviews: boolean;
}

export interface OrgForkPrPrivate {
  runWorkflowsFromForkPullRequests: boolean;
  sendWriteTokensToWorkflows: boolean;
  sendSecretsAndVariables: boolean;
  requireApprovalForForkPrWorkflows: boolean;
}

const PER_PAGE = 100;
/** Pages of organisation secrets read (100 names each). */
const MAX_SECRET_PAGES = 5;
/** Organisation secrets with `selected` visibility whose repository lists are read (one call each). */
export const MAX_SELECTED_SECRETS = 50;
const ORG_ADMIN = 'organization_administration';
const ORG_SECRETS = 'organization_secrets';

const ok = <T>(value: T): Probe<T> => ({ status: 'ok', value });

export class OrgSettings {
  private actionsP?: Promise<Probe<{ enabledRepositories: string }>>;
  private workflowP?: Promise<Probe<OrgWorkflowDefault>>;
  private forkP?: Promise<Probe<OrgForkPrPrivate>>;
  private secretsP?: Promise<Probe<OrgSecret[]>>;

  constructor(
    private readonly octokit: OctokitLike,
    readonly org: string,
    /** False for a user account: no organisation settings or secrets exist. */
    readonly isOrganization: boolean,
  ) {}

  actions(): Promise<Probe<{ enabledRepositories: string }>> {
    return (this.actionsP ??= this.orgOnly(async () => {
      const r = await restGet<{ enabled_repositories: string }>(this.octokit, '/orgs/{org}/actions/permissions', { org: this.org }, ORG_ADMIN);
      return r.ok ? ok({ enabledRepositories: r.data.enabled_repositories }) : r.failure;
    }));
  }

  workflow(): Promise<Probe<OrgWorkflowDefault>> {
    return (this.workflowP ??= this.orgOnly(async () => workflowPermissionsProbe(await restGet<WorkflowPermissionsReply>(
      this.octokit, '/orgs/{org}/actions/permissions/workflow', { org: this.org }, ORG_ADMIN))));
  }

  forkPrPrivate(): Promise<Probe<OrgForkPrPrivate>> {
    return (this.forkP ??= this.orgOnly(async () => forkPrPrivateProbe(await restGet<ForkPrPrivateReply>(
      this.octokit, '/orgs/{org}/actions/permissions/fork-pr-workflows-private-repos', { org: this.org }, ORG_ADMIN))));
  }

  /** A user account has no organisation settings: nothing to read. */
  private async orgOnly<T>(read: () => Promise<Probe<T>>): Promise<Probe<T>> {
    return this.isOrganization ? read() : { status: 'unavailable', reason: 'the owner is not an organisation' };
  }

  secrets(): Promise<Probe<OrgSecret[]>> {
    this.secretsP ??= this.readSecrets();
    return this.secretsP;
  }

  private async readSecrets(): Promise<Probe<OrgSecret[]>> {
    if (!this.isOrganization) return ok([]);
    const out: OrgSecret[] = [];
    for (let page = 1; page <= MAX_SECRET_PAGES; page++) {
      const r = await restGet<{ total_count: number; secrets: { name: string; updated_at?: string; visibility: string }[] }>(
        this.octokit, '/orgs/{org}/actions/secrets', { org: this.org, per_page: PER_PAGE, page }, ORG_SECRETS);
      if (!r.ok) return r.failure;
      for (const s of r.data.secrets) out.push({ name: s.name, visibility: s.visibility, ...(s.updated_at ? { updatedAt: s.updated_at } : {}) });
      if (out.length >= r.data.total_count || r.data.secrets.length < PER_PAGE) break;
      if (page === MAX_SECRET_PAGES) return { status: 'error', reason: `more than ${MAX_SECRET_PAGES * PER_PAGE} organisation secrets; names not read by the organisation sweep` };
    }
    const selected = out.filter((s) => s.visibility === 'selected');
    if (selected.length > MAX_SELECTED_SECRETS) {
      return { status: 'error', reason: `${selected.length} organisation secrets with selected visibility (more than ${MAX_SELECTED_SECRETS}); which repositories receive them was not read` };
    }
    for (const s of selected) {
      const names = new Set<string>();
      for (let page = 1; ; page++) {
        const r = await restGet<{ total_count: number; repositories: { name: string }[] }>(
          this.octokit, '/orgs/{org}/actions/secrets/{secret_name}/repositories', { org: this.org, secret_name: s.name, per_page: PER_PAGE, page }, ORG_SECRETS);
        if (!r.ok) return r.failure;
        for (const repo of r.data.repositories) names.add(repo.name);
        if (names.size >= r.data.total_count || r.data.repositories.length < PER_PAGE) break;
      }
      s.repositories = names;
    }
    return ok(out);
  }
}

/** The organisation secrets a repository receives, by visibility (`private` covers private and internal repositories). */
export function orgSecretsFor(secrets: readonly OrgSecret[], repo: string, visibility: string): OrgSecret[] {
  return secrets.filter((s) =>
    s.visibility === 'all' || (s.visibility === 'private' && visibility !== 'public') || (s.visibility === 'selected' && (s.repositories?.has(repo) ?? false)));
}

