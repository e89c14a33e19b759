import type { FindingDraft } from '../../model/types.js';
import type { Check } from '../types.js';
import { stepLabel } from '../locs.js';
import { capital } from './lib-script.js';
import { imagePushes, signingEvidence } from './lib-signals.js';

/** D4: a container image is pushed and nothing in the workflow signs it or attests it into the registry. */
export const imageUnsigned: Check = {
  meta: {
    id: 'image-unsigned',
    title: 'Container image pushed without a cosign signature or registry attestation',
    defaultSeverity: 'high',
    severityNote:
      'High when nothing signs the image; medium when an image attestation exists but is kept on GitHub only (`push-to-registry` not set).',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-9'], slsa: 'Build L1–L2', ssdf: ['PS.2.1', 'PS.3.2'], atlas: ['AML.M0013', 'AML.T0010.004'] },
    docs: {
      why:
        'Model-serving and training images run with production data and credentials. A tag in a registry can be overwritten ' +
        'by anyone holding a push token; without a signature bound to the digest and to this workflow\'s identity, a cluster ' +
        'admission policy or a `cosign verify` before deploy has nothing to check, so a replaced image is indistinguishable ' +
        'from the one CI built.',
      howToFix:
        'Give the job `permissions: { id-token: write, packages: write, attestations: write, contents: read }`, then after the ' +
        'push either run `sigstore/cosign-installer@<sha>` and `cosign sign --yes <registry>/<repo>@${{ steps.build.outputs.digest }}` ' +
        '(sign by digest, never by tag), or `actions/attest-build-provenance@<sha>` with `subject-name`, `subject-digest` and ' +
        '`push-to-registry: true`. Verify on deploy with `cosign verify` / `gh attestation verify oci://…` (see ' +
        'deploy-without-verification).',
      references: [
        'https://docs.sigstore.dev/cosign/signing/signing_with_containers/',
        'https://github.com/actions/attest-build-provenance',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/use-artifact-attestations/use-artifact-attestations',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const pushes = w.jobs.flatMap((job) => (job.uses ? [] : imagePushes(w, job).map((p) => ({ job, p }))));
      if (pushes.length === 0) continue;
      const ev = signingEvidence(input, w);
      if (ev.images) continue;
      for (const { job, p } of pushes) {
        const githubOnly = ev.imagesGithubOnly;
        out.push({
          severity: githubOnly ? 'medium' : 'high',
          message: githubOnly
            ? `${capital(stepLabel(p.step))} of job "${job.id}" ${p.what}; its attestation is kept on GitHub only (push-to-registry is not true) and nothing signs it in the registry.`
            : `${capital(stepLabel(p.step))} of job "${job.id}" ${p.what}, and no step of the workflow signs it or attests its provenance.`,
          path: w.path,
          region: p.region,
          job: job.id,
          step: stepLabel(p.step),
          fixable: true,
          data: { stepIndex: p.step.index, ...(p.image ? { image: p.image } : {}) },
        });
      }
    }
    return out;
  },
};
