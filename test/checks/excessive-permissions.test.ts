import { excessivePermissions } from '../../src/checks/supply-chain/excessive-permissions.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import { describe, expect, it } from 'vitest';

describeFixtures(excessivePermissions);

const scan = (yaml: string) => scanWorkflow(yaml, [excessivePermissions]);

describe('excessive-permissions messages', () => {
  it('points a workflow-level scope at the job that needs it', () => {
    const f = scan(`on: push
permissions:
  id-token: write
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
`);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('only "publish" needs it');
    expect(f[0].fixable).toBe(true);
  });
});
