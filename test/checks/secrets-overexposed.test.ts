import { describe, expect, it } from 'vitest';
import { secretsOverexposed } from '../../src/checks/credentials/secrets-overexposed.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import type { Check } from '../../src/checks/types.js';
import type { Finding } from '../../src/model/types.js';

describeFixtures(secretsOverexposed);

const scan = (check: Check, yaml: string, path?: string): Finding[] => scanWorkflow(yaml, [check], path);

describe('secrets-overexposed details', () => {
  it('points at the expression span and raises severity for outsider-reachable triggers', () => {
    const f = scan(secretsOverexposed, `on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
        env:
          X: \${{ toJson(secrets) }}
`);
    expect(f).toHaveLength(1);
    expect(f[0].region).toMatchObject({ line: 8, column: 14 });
    expect(f[0].severity).toBe('critical');
    expect(f[0].fixable).toBe(false);
  });
  it('ignores notification secrets in publishing jobs without an environment', () => {
    const f = scan(secretsOverexposed, `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: docker push org/img
      - run: ./notify.sh
        env:
          HOOK: \${{ secrets.SLACK_WEBHOOK_URL }}
`);
    expect(f).toEqual([]);
  });
});
