import { describe, expect, it } from 'vitest';
import { deployWithoutVerification } from '../../src/checks/ml/deploy-without-verification.js';
import type { Finding } from '../../src/model/types.js';
import { describeFixtures, scanFiles } from '../helpers/fixtures.js';

describeFixtures(deployWithoutVerification);

const scan = (files: Record<string, string>): Finding[] => scanFiles(files, [deployWithoutVerification]);

const deploy =
  'on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n        env:\n          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}\n      - run: helm upgrade churn ./chart\n        env:\n          KUBECONFIG_DATA: ${{ secrets.KUBECONFIG }}\n';

describe('deploy-without-verification details', () => {
  it('reports the first unverified deploy step of a job only, and names it', () => {
    const found = scan({ '.github/workflows/d.yml': deploy });
    expect(found).toHaveLength(1);
    expect(found[0].region?.line).toBe(7);
    expect(found[0].message).toContain('Step 1 (kubectl apply -f k8s/) of job "deploy" deploys with "kubectl apply -f k8s/"');
  });

  it('accepts a committed admission policy for Kubernetes deploys when the manifest is loaded', () => {
    const policy = 'apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nmetadata:\n  name: acme\n';
    expect(scan({ '.github/workflows/d.yml': deploy, 'deploy/policy.yaml': policy })).toEqual([]);
    const kyverno = 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec:\n  rules:\n    - name: verify\n      verifyImages:\n        - imageReferences: ["ghcr.io/acme/*"]\n';
    expect(scan({ '.github/workflows/d.yml': deploy, 'policies/verify.yaml': kyverno })).toEqual([]);
  });

  it('does not take an admission policy as verification of a model endpoint', () => {
    const sm = 'on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: aws sagemaker create-endpoint --endpoint-name churn --endpoint-config-name c\n';
    const policy = 'kind: ClusterImagePolicy\n';
    expect(scan({ '.github/workflows/d.yml': sm, 'deploy/policy.yaml': policy })).toHaveLength(1);
  });

  it('recognises the SageMaker Python SDK deploy only in a script that uses it', () => {
    const py = (body: string): string =>
      `on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          python - <<'PY'\n${body}          PY\n`;
    expect(scan({ '.github/workflows/d.yml': py('          import sagemaker\n          model.deploy(initial_instance_count=1)\n') })).toHaveLength(1);
    expect(scan({ '.github/workflows/d.yml': py('          site.deploy()\n') })).toEqual([]);
  });
});
