import { describe, expect, it } from 'vitest';
import { staticCloudCredentials } from '../../src/checks/credentials/static-cloud-credentials.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import type { Check } from '../../src/checks/types.js';
import type { Finding } from '../../src/model/types.js';

describeFixtures(staticCloudCredentials);

const scan = (check: Check, yaml: string, path?: string): Finding[] => scanWorkflow(yaml, [check], path);

describe('static-cloud-credentials details', () => {
  it('tags each finding with its provider for the fixer', () => {
    const f = scan(staticCloudCredentials, `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.K }}
      - uses: azure/login@v2
        with:
          creds: \${{ secrets.C }}
      - run: az login --service-principal -u "$ID" -p "$SECRET" --tenant "$T"
`);
    expect(f.map((x) => [x.region?.line, x.data?.provider, x.fixable])).toEqual([
      [8, 'aws', true],
      [11, 'azure', true],
      [12, 'azure', true],
    ]);
  });
  it('stays quiet on vault-action without a token (nothing static to flag) and on creds ignored for client-id', () => {
    const f = scan(staticCloudCredentials, `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/vault-action@v3
        with:
          url: https://vault
      - uses: azure/login@v2
        with:
          client-id: \${{ vars.ID }}
          creds: \${{ secrets.OLD }}
`);
    expect(f).toEqual([]);
  });
});
