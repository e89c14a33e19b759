import type { FindingDraft } from '../../model/types.js';
import type { Check } from '../types.js';
import { exposure } from '../../workflows/context.js';
import { stepLabel } from '../locs.js';
import { capital } from './lib-script.js';
import { hasAdmissionPolicy, servingDeploys, verifiedBefore } from './lib-signals.js';

/** M3: a deploy step rolls out a model or image with no signature verification before it. */
export const deployWithoutVerification: Check = {
  meta: {
    id: 'deploy-without-verification',
    title: 'Model or image deployed without verifying its signature first',
    defaultSeverity: 'high',
    severityNote: 'High; critical when outsiders can trigger the workflow (pull_request_target, workflow_run, comments).',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-9'], slsa: 'verifying artifacts', ssdf: ['PS.2.1'], atlas: ['AML.M0014', 'AML.M0013', 'AML.T0010.004'] },
    docs: {
      why:
        'Signing only helps if someone checks the signature. A deploy job that rolls out an image or model by tag or path ' +
        '(kubectl, Helm, Cloud Run, ECS, SageMaker or Vertex AI endpoints, Azure ML deployments, MLflow deployments) serves ' +
        'whatever the registry or bucket holds at that moment, including an artifact replaced with a leaked token.',
      howToFix:
        'Add a verification step before the deploy, with the identity pinned to the workflow that produced the artifact: ' +
        '`gh attestation verify oci://<image>@<digest> --repo ${{ github.repository }} --signer-workflow <owner>/<repo>/.github/workflows/<build>.yml` ' +
        '(env `GH_TOKEN`), or `cosign verify <image>@<digest> --certificate-identity https://github.com/<owner>/<repo>/.github/workflows/<build>.yml@refs/heads/main ' +
        '--certificate-oidc-issuer https://token.actions.githubusercontent.com`, or for model files `model_signing verify <dir> --signature <dir>.sig ' +
        '--identity … --identity-provider https://token.actions.githubusercontent.com`. Deploy the verified digest, not a tag. ' +
        'A verification in a job this one `needs`, or a committed admission policy (sigstore policy-controller ' +
        'ClusterImagePolicy, Kyverno verifyImages) for Kubernetes deploys, is accepted.',
      references: [
        'https://cli.github.com/manual/gh_attestation_verify',
        'https://docs.sigstore.dev/cosign/verifying/verify/',
        'https://github.com/sigstore/model-transparency',
        'https://slsa.dev/spec/v1.0/verifying-artifacts',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    let admission: boolean | undefined;
    for (const w of input.workflows) {
      const outsider = exposure(w) === 'high';
      for (const job of w.jobs) {
        if (job.uses) continue;
        for (const d of servingDeploys(w, job, input.options.hostedRunnerLabels)) {
          if (verifiedBefore(w, job, d.step)) continue;
          if (d.k8s && (admission ??= hasAdmissionPolicy(input))) continue;
          out.push({
            severity: outsider ? 'critical' : 'high',
            message: `${capital(stepLabel(d.step))} of job "${job.id}" ${d.what} without first verifying a signature or attestation of what it deploys.`,
            path: w.path,
            region: d.region,
            job: job.id,
            step: stepLabel(d.step),
            fixable: true,
            data: { stepIndex: d.step.index },
          });
          break; // one finding per job: the first unverified deploy step
        }
      }
    }
    return out;
  },
};
