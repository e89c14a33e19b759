/**
 * static-cloud-credentials (W7–W10): long-lived cloud credentials where GitHub OIDC federation is
 * available: AWS access keys, GCP service-account JSON keys, Azure client secrets, Vault static
 * token / AppRole / GitHub-PAT logins.
 */
import type { FindingDraft, Region, Severity } from '../../model/types.js';
import type { Job, KeyValue, Step, WorkflowFile } from '../../workflows/model.js';
import { exposure } from '../../workflows/context.js';
import { pointRegion, region, stepLabel } from '../locs.js';
import type { Check } from '../types.js';
import { input as withInput, isEcho, nextOperand, programsOf, readsSecret, scriptCommands, stepSites, usesAction } from './lib-steps.js';

const CLOUD_CLIS = new Set(['aws', 'gcloud', 'az', 'vault']);

type Provider = 'aws' | 'gcp' | 'azure' | 'vault';

const PROVIDER_LABEL: Record<Provider, string> = { aws: 'AWS', gcp: 'GCP', azure: 'Azure', vault: 'Vault' };

/** Documentation and emulator keys (AWS docs example key, LocalStack's `test`). */
const DUMMY = /^(AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY|test|testing|dummy|fake|foo|bar|x+|localstack|minio\w*|none)$/i;

interface Hit {
  provider: Provider;
  region: Region;
  what: string;
  /** Medium for weaker signals (e.g. Vault TLS verification off). */
  severity?: Severity;
}

function present(kv: KeyValue | undefined): kv is KeyValue {
  return !!kv && (kv.value ?? '').trim() !== '';
}

function isDummy(kv: KeyValue): boolean {
  return DUMMY.test((kv.value ?? '').trim());
}

function stepInputHits(step: Step): Hit[] {
  const get = (k: string): KeyValue | undefined => withInput(step, k);
  const at = (kv: KeyValue): Region => region(kv.keyLoc);
  if (usesAction(step, 'aws-actions/configure-aws-credentials')) {
    const key = get('aws-access-key-id');
    const secret = get('aws-secret-access-key');
    const kv = present(key) ? key : present(secret) ? secret : undefined;
    if (!kv || isDummy(kv)) return [];
    const role = present(get('role-to-assume'));
    return [{ provider: 'aws', region: at(kv), what: `passes a static IAM access key to configure-aws-credentials${role ? ' (to assume a role)' : ''}` }];
  }
  if (usesAction(step, 'google-github-actions/auth')) {
    const kv = get('credentials_json');
    return present(kv) ? [{ provider: 'gcp', region: at(kv), what: 'authenticates to GCP with a service-account JSON key (`credentials_json`)' }] : [];
  }
  if (usesAction(step, 'google-github-actions/setup-gcloud')) {
    const kv = get('service_account_key');
    return present(kv) ? [{ provider: 'gcp', region: at(kv), what: 'passes a service-account JSON key to setup-gcloud' }] : [];
  }
  if (usesAction(step, 'docker/login-action')) {
    const user = get('username');
    const v = (user?.value ?? '').trim();
    return user && /^_json_key(_base64)?$/.test(v)
      ? [{ provider: 'gcp', region: at(user), what: `logs in to a Google registry with a service-account JSON key (\`username: ${v}\`)` }]
      : [];
  }
  if (usesAction(step, 'azure/login')) {
    const creds = get('creds');
    // The action ignores `creds` once any of client-id / tenant-id / subscription-id is set (OIDC form).
    const oidc = ['client-id', 'tenant-id', 'subscription-id'].some((k) => present(get(k)));
    const secret = get('client-secret');
    if (present(secret)) return [{ provider: 'azure', region: at(secret), what: 'authenticates to Azure with a client secret' }];
    return present(creds) && !oidc
      ? [{ provider: 'azure', region: at(creds), what: 'authenticates to Azure with a service-principal secret (`creds`)' }]
      : [];
  }
  if (usesAction(step, 'hashicorp/vault-action')) {
    const hits: Hit[] = [];
    const method = get('method');
    const m = (method?.value ?? 'token').trim().toLowerCase();
    const where = method ? at(method) : region(step.uses!.loc);
    if (m.includes('${{')) {
      // Unknown at parse time.
    } else if (m === 'token' || m === '') {
      const token = get('token');
      if (present(token) || method) hits.push({ provider: 'vault', region: present(token) && !method ? at(token) : where, what: 'logs in to Vault with a static token' });
    } else if (['approle', 'github', 'userpass', 'ldap'].includes(m)) {
      hits.push({ provider: 'vault', region: where, what: `logs in to Vault with long-lived \`${m}\` credentials` });
    } else if (m === 'jwt' && present(get('jwtPrivateKey'))) {
      hits.push({ provider: 'vault', region: at(get('jwtPrivateKey')!), what: 'signs its Vault JWT with a stored private key instead of the GitHub OIDC token' });
    }
    return hits;
  }
  return [];
}

/** `env:` entries that load static cloud credentials from secrets; one hit per env block and provider. */
function envHits(env: KeyValue[]): Hit[] {
  const hits: Hit[] = [];
  const from = (re: RegExp): KeyValue | undefined => env.find((kv) => re.test(kv.key) && readsSecret(kv.value));
  const aws = from(/^AWS_SECRET_ACCESS_KEY$/i) ?? from(/^AWS_ACCESS_KEY_ID$/i);
  if (aws) hits.push({ provider: 'aws', region: region(aws.keyLoc), what: `loads a static AWS key from a secret into \`${aws.key}\`` });
  const gcp = from(/^(GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_CREDENTIALS|GOOGLE_CLOUD_KEYFILE_JSON|GCLOUD_SERVICE_KEY|GCP_SA_KEY|GCP_SERVICE_ACCOUNT_KEY|GCP_CREDENTIALS)$/i);
  if (gcp) hits.push({ provider: 'gcp', region: region(gcp.keyLoc), what: `loads a GCP service-account key from a secret into \`${gcp.key}\`` });
  const azure = from(/^(AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS)$/i);
  if (azure) hits.push({ provider: 'azure', region: region(azure.keyLoc), what: `loads an Azure client secret from a secret into \`${azure.key}\`` });
  const vault = from(/^(VAULT_TOKEN|VAULT_SECRET_ID)$/i);
  if (vault) hits.push({ provider: 'vault', region: region(vault.keyLoc), what: `loads a static Vault credential from a secret into \`${vault.key}\`` });
  return hits;
}

/** CLI logins with static credentials in `run:` scripts. */
function runHits(file: WorkflowFile, step: Step): Hit[] {
  if (!step.run) return [];
  const hits: Hit[] = [];
  for (const c of scriptCommands(file, step.run)) {
    if (isEcho(c.words)) continue;
    const w = c.words;
    const progs = programsOf(w);
    if (!progs.some((p) => CLOUD_CLIS.has(p))) continue;
    const lower = w.map((x) => x.toLowerCase());
    for (let i = 0; i < w.length; i++) {
      const prog = progs[i];
      const op = nextOperand(w, i);
      if (prog === 'aws' && op?.word === 'configure' && lower.includes('set') && lower.some((x) => /^aws_(secret_access_key|access_key_id)$/.test(x))) {
        hits.push({ provider: 'aws', region: pointRegion(c.line), what: 'writes a static AWS key with `aws configure set`' });
        break;
      }
      if (prog === 'gcloud' && op?.word === 'auth' && lower.includes('activate-service-account') && lower.some((x) => x.startsWith('--key-file'))) {
        hits.push({ provider: 'gcp', region: pointRegion(c.line), what: 'activates a GCP service account from a JSON key file (`--key-file`)' });
        break;
      }
      if (prog === 'az' && op?.word === 'login' && lower.includes('--service-principal') && !lower.some((x) => x.startsWith('--federated-token'))) {
        if (lower.some((x) => /^(-p|--password|--secret|--client-secret)(=|$)/.test(x))) {
          hits.push({ provider: 'azure', region: pointRegion(c.line), what: 'logs in to Azure with a service-principal secret (`az login --service-principal`)' });
          break;
        }
      }
      if (prog === 'vault' && op?.word === 'login' && !lower.some((x) => /^-method=(jwt|oidc)$/.test(x)) && readsSecret(c.text)) {
        hits.push({ provider: 'vault', region: pointRegion(c.line), what: 'logs in to Vault with a stored credential' });
        break;
      }
    }
  }
  return hits;
}

function severityFor(file: WorkflowFile, job: Job, base: Severity): Severity {
  return base === 'high' && job.id !== '(composite)' && exposure(file) === 'high' ? 'critical' : base;
}

export const staticCloudCredentials: Check = {
  meta: {
    id: 'static-cloud-credentials',
    title: 'Long-lived cloud credentials instead of OIDC federation',
    defaultSeverity: 'high',
    severityNote: 'High; critical when outsiders can trigger the workflow (pull_request_target, issue_comment, workflow_run…).',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6', 'CICD-SEC-2'], ssdf: ['PO.5.1'], atlas: ['AML.T0055'] },
    docs: {
      why:
        'Static AWS access keys, GCP service-account JSON keys, Azure client secrets and Vault tokens/AppRole secrets stored as CI ' +
        'secrets stay valid for months, work from any machine and are rarely rotated: one compromised step or leaked log hands an ' +
        'attacker the cloud account that holds training data, model registries and deployment targets. AWS, GCP, Azure and Vault all ' +
        'accept the GitHub OIDC token instead, which lives minutes and can be bound to the repository, branch and environment.',
      howToFix:
        'Grant the job `permissions: id-token: write` and switch to federation: AWS `role-to-assume: ${{ vars.AWS_ROLE_ARN }}` ' +
        '(IAM role trusting token.actions.githubusercontent.com); GCP `workload_identity_provider:` (+ `service_account:`); Azure ' +
        '`client-id` / `tenant-id` / `subscription-id` with a federated credential; Vault `method: jwt` with a `role:` bound to the ' +
        'repository and environment. Then delete the old keys.',
      references: [
        'https://docs.github.com/en/actions/concepts/security/openid-connect',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
        'https://github.com/google-github-actions/auth#workload-identity-federation-through-a-service-account',
        'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
        'https://github.com/hashicorp/vault-action#jwt-with-github-oidc-tokens',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    const push = (file: WorkflowFile, job: Job | undefined, step: Step | undefined, h: Hit): void => {
      const where = step ? `${stepLabel(step)} of ${job?.id === '(composite)' ? 'the composite action' : `job "${job?.id}"`}` : job ? `Job "${job.id}"` : 'The workflow';
      out.push({
        severity: job ? severityFor(file, job, h.severity ?? 'high') : h.severity ?? 'high',
        message: `${where} ${h.what}; use ${PROVIDER_LABEL[h.provider]} OIDC federation instead.`,
        path: file.path,
        region: h.region,
        job: job?.id,
        step: step ? stepLabel(step) : undefined,
        fixable: true,
        data: { provider: h.provider },
      });
    };
    for (const file of [...input.workflows, ...input.actions]) {
      for (const h of envHits(file.env)) push(file, undefined, undefined, h);
      for (const job of file.jobs) for (const h of envHits(job.env)) push(file, job, undefined, h);
    }
    for (const { file, job, step } of stepSites(input)) {
      for (const h of [...stepInputHits(step), ...envHits(step.env), ...runHits(file, step)]) push(file, job, step, h);
    }
    return out;
  },
};
