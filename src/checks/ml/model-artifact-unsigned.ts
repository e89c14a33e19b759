import type { FindingDraft } from '../../model/types.js';
import type { Check } from '../types.js';
import type { Step } from '../../workflows/model.js';
import { stepLabel } from '../locs.js';
import { capital } from './lib-script.js';
import { artifactPublishes, signingEvidence } from './lib-signals.js';

/** M2: a model or dataset is published and nothing in the workflow signs it or attests its provenance. */
export const modelArtifactUnsigned: Check = {
  meta: {
    id: 'model-artifact-unsigned',
    title: 'Model or dataset published without a signature or provenance attestation',
    defaultSeverity: 'high',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-9'], slsa: 'Build L1–L2', ssdf: ['PS.2.1', 'PS.3.2'], atlas: ['AML.M0013', 'AML.M0014'] },
    docs: {
      why:
        'Weights uploaded to the Hugging Face Hub, a bucket, a release or an OCI registry are trusted by whoever loads them, ' +
        'and pickle-based formats run code on load. Without a signature or a provenance attestation made by this workflow, ' +
        'consumers cannot tell the published file from one swapped in by a leaked token, a compromised mirror or a ' +
        'poisoned training run, and there is no record of which commit and workflow produced it.',
      howToFix:
        'Sign or attest the files in the same workflow, after they are built and before or right after the upload: ' +
        '`actions/attest@<sha>` (or `actions/attest-build-provenance`) with `subject-path: models/**/*.safetensors` and ' +
        '`permissions: { id-token: write, attestations: write, contents: read }`; or `pip install model-signing==<pinned>` then ' +
        '`model_signing sign <model dir> --signature <model dir>.sig` (keyless through GitHub OIDC) and publish the `.sig` ' +
        'with the model; or `cosign sign-blob --bundle model.sigstore.json <file>`. For OCI artifacts (`oras push`, ' +
        '`kit push`) sign the pushed digest with `cosign sign`. Signing in a reusable workflow this one calls, or in a ' +
        '`workflow_run` follower, is recognised. Container images are reported by image-unsigned instead.',
      references: [
        'https://github.com/sigstore/model-transparency',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/use-artifact-attestations/use-artifact-attestations',
        'https://github.com/actions/attest',
        'https://slsa.dev/spec/v1.0/levels',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) {
      const publishes = w.jobs.flatMap((job) => (job.uses ? [] : artifactPublishes(w, job).map((p) => ({ job, p }))));
      if (publishes.length === 0) continue;
      const ev = signingEvidence(input, w);
      const reported = new Set<Step>();
      for (const { job, p } of publishes) {
        if (ev.files || (p.oci && ev.images)) continue;
        if (reported.has(p.step)) continue; // one finding per step: one attest step fixes it
        reported.add(p.step);
        out.push({
          severity: 'high',
          message: `${capital(stepLabel(p.step))} of job "${job.id}" ${p.what}, and no step of the workflow signs the ${p.kind} or attests its provenance.`,
          path: w.path,
          region: p.region,
          job: job.id,
          step: stepLabel(p.step),
          fixable: true,
          data: { artifact: p.kind, oci: p.oci, stepIndex: p.step.index },
        });
      }
    }
    return out;
  },
};
