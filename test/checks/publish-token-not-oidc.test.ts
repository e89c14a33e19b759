import { describe, expect, it } from 'vitest';
import { publishTokenNotOidc } from '../../src/checks/credentials/publish-token-not-oidc.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import type { Check } from '../../src/checks/types.js';
import type { Finding } from '../../src/model/types.js';

describeFixtures(publishTokenNotOidc);

const scan = (check: Check, yaml: string, path?: string): Finding[] => scanWorkflow(yaml, [check], path);

describe('publish-token-not-oidc details', () => {
  it('marks only the PyPI action form as fixable', () => {
    const f = scan(publishTokenNotOidc, `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: \${{ secrets.PYPI }}
      - run: twine upload -u __token__ -p "$PYPI" dist/*
`);
    expect(f.map((x) => [x.region?.line, x.fixable, x.data?.registry])).toEqual([
      [6, true, 'pypi'],
      [9, false, 'pypi'],
    ]);
  });
  it('treats the corpus npm placeholder as the public registry and OIDC-derived keys as no token', () => {
    const f = scan(publishTokenNotOidc, `on: push
permissions:
  id-token: write
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with:
          registry-url: https://npm.registry.example/
          always-auth: true
      - run: dotnet nuget push x.nupkg --api-key "$KEY"
        env:
          KEY: \${{ steps.login.outputs.NUGET_API_KEY }}
`);
    expect(f.map((x) => x.region?.line)).toEqual([8]);
  });
});
