import { describe, expect, it } from 'vitest';
import { imageUnsigned } from '../../src/checks/ml/image-unsigned.js';
import type { Finding } from '../../src/model/types.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';

describeFixtures(imageUnsigned);

const scan = (yaml: string): Finding[] => scanWorkflow(yaml, [imageUnsigned]);

const wf = (steps: string): string => `on: push\npermissions: {}\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;

describe('image-unsigned details', () => {
  it('quotes the image and carries it for the fix', () => {
    const [f] = scan(wf('      - run: docker build -t ghcr.io/acme/churn:1 . && docker push ghcr.io/acme/churn:1\n'));
    expect(f.message).toContain('pushes image "ghcr.io/acme/churn:1"');
    expect(f.data).toMatchObject({ image: 'ghcr.io/acme/churn:1', stepIndex: 0 });
    expect(f.fixable).toBe(true);
  });

  it('recognises other publishers: buildah, crane, skopeo, jib, imagetools', () => {
    for (const cmd of [
      'buildah push quay.io/acme/churn:1',
      'crane push image.tar ghcr.io/acme/churn:1',
      'skopeo copy oci:churn docker://ghcr.io/acme/churn:1',
      './mvnw compile jib:build',
      'docker buildx imagetools create -t ghcr.io/acme/churn:1 ghcr.io/acme/churn:amd64 ghcr.io/acme/churn:arm64',
    ]) {
      expect(scan(wf(`      - run: ${cmd}\n`)), cmd).toHaveLength(1);
    }
  });

  it('counts a signature anywhere in the workflow, and notation as a signer', () => {
    const push = '      - run: docker push ghcr.io/acme/churn:1\n';
    expect(scan(wf(`${push}      - run: notation sign ghcr.io/acme/churn@sha256:abc\n`))).toEqual([]);
    expect(scan(`${wf(push)}  sign:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cosign attest --yes --predicate sbom.json --type cyclonedx ghcr.io/acme/churn@sha256:abc\n`)).toEqual([]);
    expect(scan(wf(`${push}      - run: cosign sign-blob --bundle b.json file.txt\n`))).toHaveLength(1);
  });
});
