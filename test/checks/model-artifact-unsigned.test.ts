import { describe, expect, it } from 'vitest';
import { modelArtifactUnsigned } from '../../src/checks/ml/model-artifact-unsigned.js';
import type { Finding } from '../../src/model/types.js';
import { describeFixtures, scanFiles } from '../helpers/fixtures.js';

describeFixtures(modelArtifactUnsigned);

const scan = (files: Record<string, string>): Finding[] => scanFiles(files, [modelArtifactUnsigned]);

const wf = (steps: string): string => `on: push\npermissions: {}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;

describe('model-artifact-unsigned details', () => {
  it('points at the upload command inside a multi-line script', () => {
    const [f] = scan({ '.github/workflows/p.yml': wf('      - name: Upload\n        run: |\n          ls models\n          aws s3 sync \\\n            models/ s3://acme-ml/churn/\n') });
    expect(f.region).toMatchObject({ line: 10, column: 11 });
    expect(f.message).toContain('Step 1 (Upload) of job "publish" uploads model files to cloud storage');
    expect(f.data).toMatchObject({ artifact: 'model', oci: false });
  });

  it('follows a local reusable workflow that signs', () => {
    const caller = 'on: push\npermissions: {}\njobs:\n  up:\n    runs-on: ubuntu-latest\n    steps:\n      - run: hf upload acme/churn out\n  sign:\n    uses: ./.github/workflows/sign.yml\n';
    const signer = 'on: workflow_call\npermissions: {}\njobs:\n  s:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cosign sign-blob --yes --bundle out.sigstore.json out/model.safetensors\n';
    expect(scan({ '.github/workflows/up.yml': caller, '.github/workflows/sign.yml': signer })).toEqual([]);
    expect(scan({ '.github/workflows/up.yml': caller })).toHaveLength(1);
  });

  it('accepts the SLSA generic generator as provenance', () => {
    const w = `${wf('      - run: gh release upload v1 model.onnx\n')}  provenance:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0\n`;
    expect(scan({ '.github/workflows/p.yml': w })).toEqual([]);
  });

  it('does not take an image signature as a signature of model files', () => {
    const steps = '      - run: aws s3 cp model.pt s3://acme-ml/\n      - run: cosign sign --yes ghcr.io/acme/x@sha256:abc\n';
    expect(scan({ '.github/workflows/p.yml': wf(steps) })).toHaveLength(1);
  });

  it('needs a model or dataset in the copied paths and a remote destination', () => {
    expect(scan({ '.github/workflows/p.yml': wf('      - run: gcloud storage cp report.html gs://acme-site/\n') })).toEqual([]);
    expect(scan({ '.github/workflows/p.yml': wf('      - run: gcloud storage cp out/weights.bin gs://acme-ml/\n') })).toHaveLength(1);
    expect(scan({ '.github/workflows/p.yml': wf('      - run: rclone copy data/datasets/ remote:bucket/ds\n') })).toHaveLength(1);
  });
});
