/**
 * static-cloud-credentials fix (W7–W9): rewrite the login step to OIDC federation and give that job
 * (only) `id-token: write`.
 *   AWS   aws-actions/configure-aws-credentials: access keys -> `role-to-assume`
 *   GCP   google-github-actions/auth: `credentials_json` -> `workload_identity_provider` + `service_account`
 *   Azure azure/login: `creds` / `client-secret` -> `client-id`, `tenant-id`, `subscription-id`
 * The identities come from the policy (`oidc.aws.role`, ...). Without them the step reads repository
 * variables (`${{ vars.AWS_ROLE_ARN }}`...) that do not exist yet: the edit is a draft and the notes
 * spell out the cloud-side steps with the exact subject claim. Keys in `env:`, CLI logins, Vault and
 * the other GCP forms are left to a human (note).
 */
import type { Node as YamlNode } from 'yaml';
import type { Finding } from '../model/types.js';
import type { OidcPolicy } from '../policy/config.js';
import type { Job, WorkflowFile } from '../workflows/model.js';
import { actionName } from '../workflows/uses.js';
import { isReusableOnly, jobOf, stepAt } from './common.js';
import { pairOf } from './doc.js';
import { grantIdToken, replaceEntry, stepEditSite, subjectClaim } from './oidc.js';
import { yamlScalar } from './text.js';
import type { FixEdit, Fixer, FixerOutput, FixOptions, Splice } from './types.js';

const CHECK_ID = 'static-cloud-credentials';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface Recipe {
  provider: 'aws' | 'gcp' | 'azure';
  action: string;
  /** Inputs that carry the static credential: removed. */
  remove: string[];
  /** Inputs to add when absent: [name, value from policy or placeholder, placeholder used]. */
  add: (p: OidcPolicy, present: (k: string) => string | undefined) => { key: string; value: string; placeholder: boolean }[];
  followUp: (o: { w: WorkflowFile; job: Job; options: FixOptions; placeholders: string[]; secrets: string[]; identity: string }) => string;
}

const placeholder = (name: string) => `\${{ vars.${name} }}`;
const deleteSecrets = (secrets: string[]) =>
  secrets.length > 0 ? ` Then delete the secret${secrets.length > 1 ? 's' : ''} ${secrets.join(', ')} and revoke the old credential.` : ' Then revoke the old credential.';
const setVars = (vars: string[]) => (vars.length > 0 ? ` Set the repository variable${vars.length > 1 ? 's' : ''} ${vars.join(', ')}.` : '');

const RECIPES: Recipe[] = [
  {
    provider: 'aws',
    action: 'aws-actions/configure-aws-credentials',
    remove: ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'],
    add: (p, present) => {
      const out: { key: string; value: string; placeholder: boolean }[] = [];
      if (!present('role-to-assume')) out.push({ key: 'role-to-assume', value: p.aws?.role ?? placeholder('AWS_ROLE_ARN'), placeholder: !p.aws });
      if (!present('aws-region') && p.aws?.region) out.push({ key: 'aws-region', value: p.aws.region, placeholder: false });
      return out;
    },
    followUp: ({ w, job, options, placeholders, secrets, identity }) =>
      `${placeholders.length > 0 ? 'Create an IAM role for this job, trusting' : `Check that IAM role ${identity} trusts`} the OIDC provider ${ISSUER.replace('https://', '')} ` +
      `(add the provider to the account if missing), with a trust policy condition "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" and ` +
      `"token.actions.githubusercontent.com:sub" ${subjectClaim(w, job, options).includes('*') ? 'StringLike' : '='} "${subjectClaim(w, job, options)}".${setVars(placeholders)}${deleteSecrets(secrets)}`,
  },
  {
    provider: 'gcp',
    action: 'google-github-actions/auth',
    remove: ['credentials_json'],
    add: (p, present) => {
      const out: { key: string; value: string; placeholder: boolean }[] = [];
      if (!present('workload_identity_provider')) {
        out.push({ key: 'workload_identity_provider', value: p.gcp?.workloadIdentityProvider ?? placeholder('GCP_WORKLOAD_IDENTITY_PROVIDER'), placeholder: !p.gcp });
      }
      if (!present('service_account')) out.push({ key: 'service_account', value: p.gcp?.serviceAccount ?? placeholder('GCP_SERVICE_ACCOUNT'), placeholder: !p.gcp });
      return out;
    },
    followUp: ({ w, job, options, placeholders, secrets }) =>
      `${placeholders.length > 0 ? 'Create a workload identity pool and provider' : 'Check that the workload identity provider'} for issuer ${ISSUER} ` +
      `(attribute condition on assertion.repository == '${options.repository ?? 'OWNER/REPO'}') and grant the service account's ` +
      `roles/iam.workloadIdentityUser to principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/subject/${subjectClaim(w, job, options)}.` +
      `${setVars(placeholders)}${deleteSecrets(secrets)}`,
  },
  {
    provider: 'azure',
    action: 'azure/login',
    remove: ['creds', 'client-secret'],
    add: (p, present) => {
      const out: { key: string; value: string; placeholder: boolean }[] = [];
      if (!present('client-id')) out.push({ key: 'client-id', value: p.azure?.clientId ?? placeholder('AZURE_CLIENT_ID'), placeholder: !p.azure });
      if (!present('tenant-id')) out.push({ key: 'tenant-id', value: p.azure?.tenantId ?? placeholder('AZURE_TENANT_ID'), placeholder: !p.azure });
      if (!present('subscription-id') && !/^true$/i.test(present('allow-no-subscriptions') ?? '')) {
        out.push({ key: 'subscription-id', value: p.azure?.subscriptionId ?? placeholder('AZURE_SUBSCRIPTION_ID'), placeholder: !p.azure });
      }
      return out;
    },
    followUp: ({ w, job, options, placeholders, secrets }) =>
      `Add a federated credential to the ${placeholders.length > 0 ? '' : 'configured '}app registration (Entra ID): issuer ${ISSUER}, ` +
      `subject "${subjectClaim(w, job, options)}", audience api://AzureADTokenExchange` +
      `${subjectClaim(w, job, options).includes('*') ? ' (Entra ID matches the subject exactly: run the job in an environment and use its subject instead)' : ''}.${setVars(placeholders)}${deleteSecrets(secrets)}`,
  },
];

const SECRET_REF = /secrets\.([A-Za-z_][A-Za-z0-9_]*)/g;

function fixOne(w: WorkflowFile, f: Finding, policy: OidcPolicy, options: FixOptions): FixEdit | string {
  const where = `${w.path}:${f.region?.line ?? 1}`;
  const refuse = (why: string) => `${where}: static-cloud-credentials: ${why}; move it to OIDC by hand.`;
  if (w.kind === 'action') return refuse('a composite action cannot grant its caller `id-token: write`');
  if (isReusableOnly(w)) return refuse('a reusable workflow gets `id-token: write` only from its caller');
  const job = jobOf(w, f);
  const step = job ? stepAt(w, job, f) : undefined;
  const name = step?.uses ? actionName(step.uses.ref) : undefined;
  const recipe = RECIPES.find((r) => r.action === name && r.provider === f.data?.provider);
  if (!job || !step || !recipe) return refuse('only the login inputs of configure-aws-credentials, google-github-actions/auth and azure/login are rewritten (env keys, CLI logins and Vault are not)');
  const site = stepEditSite(w, job, step);
  if ('error' in site) return refuse(site.error);
  const { step: stepLoc, job: jobLoc, withMap } = site;
  const present = (k: string): string | undefined => {
    const v = pairOf(withMap, k)?.value as YamlNode | null | undefined;
    return v ? String((v as { value?: unknown }).value ?? '') : undefined;
  };
  const removed = recipe.remove.map((k) => pairOf(withMap, k)).filter((p) => p !== undefined);
  if (removed.length === 0) return refuse('the credential input was not found');
  const adds = recipe.add(policy, present);
  const splices: Splice[] = [];
  for (const [i, pair] of removed.entries()) {
    const lines =
      i === 0
        ? adds.map((a) => `${a.key}: ${a.placeholder ? `${a.value} # pipeline-guard: TODO set this variable (see the PR notes)` : yamlScalar(a.value)}`)
        : [];
    const s = replaceEntry(w.text, withMap, pair, lines);
    if ('error' in s) return refuse(`\`${String((pair.key as { value?: unknown }).value)}:\` ${s.error}`);
    splices.push(s);
  }
  const grant = grantIdToken(w, job, jobLoc.map, jobLoc.path, `OIDC login to ${recipe.provider.toUpperCase()}`);
  if ('error' in grant) return refuse(grant.error);
  const secrets = [
    ...new Set(
      removed.flatMap((p) => {
        const v = p.value as YamlNode | null;
        const raw = v?.range ? w.text.slice(v.range[0], v.range[1]) : '';
        return [...raw.matchAll(SECRET_REF)].map((m) => m[1]);
      }),
    ),
  ];
  const placeholders = adds.filter((a) => a.placeholder).map((a) => /vars\.(\w+)/.exec(a.value)?.[1] ?? a.key);
  const identity = present('role-to-assume') ?? adds.find((a) => a.key === 'role-to-assume')?.value ?? '';
  // An existing role-to-assume was reached with the keys: its trust policy still has to accept the OIDC token.
  const draft = placeholders.length > 0 || (recipe.provider === 'aws' && present('role-to-assume') !== undefined);
  return {
    checkId: CHECK_ID,
    splices: [...splices, ...grant.splices],
    targets: [[...stepLoc.path, 'with'], ...grant.targets],
    findings: [f],
    notes: [
      `${where}: job "${job.id}" now logs in to ${recipe.provider.toUpperCase()} with GitHub OIDC (id-token: write on this job only). ` +
        recipe.followUp({ w, job, options, placeholders, secrets, identity }),
    ],
    draft,
  };
}

export const staticCloudCredentialsFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings, policy, options }): FixerOutput {
    const edits: FixEdit[] = [];
    const notes: string[] = [];
    for (const f of findings) {
      const r = fixOne(w, f, policy.oidc, options);
      if (typeof r === 'string') notes.push(r);
      else edits.push(r);
    }
    return { edits, notes };
  },
};
