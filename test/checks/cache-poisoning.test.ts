import { describe, expect, it } from 'vitest';
import { cachePoisoning } from '../../src/checks/credentials/cache-poisoning.js';
import { describeFixtures, scanWorkflow } from '../helpers/fixtures.js';
import type { Check } from '../../src/checks/types.js';
import type { Finding } from '../../src/model/types.js';

describeFixtures(cachePoisoning);

const scan = (check: Check, yaml: string, path?: string): Finding[] => scanWorkflow(yaml, [check], path);

describe('cache-poisoning details', () => {
  const wf = (on: string, step: string): string => `on:
${on}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
${step}
`;
  it('knows setup-uv v10 stops caching on releases by default, older versions do not', () => {
    expect(scan(cachePoisoning, wf('  release:', '      - uses: astral-sh/setup-uv@v10.0.0'))).toEqual([]);
    const f = scan(cachePoisoning, wf('  release:', '      - uses: astral-sh/setup-uv@0123456789abcdef0123456789abcdef01234567 # v6.5.0'));
    expect(f.map((x) => [x.region?.line, x.data?.action, x.fixable])).toEqual([[7, 'astral-sh/setup-uv', true]]);
  });
  it('does not accept a tag-only gate when a release branch also triggers the workflow', () => {
    const step = "      - uses: PyO3/maturin-action@v1\n        with:\n          sccache: ${{ !startsWith(github.ref, 'refs/tags/') }}";
    expect(scan(cachePoisoning, wf('  push:\n    tags: ["*"]', step))).toEqual([]);
    expect(scan(cachePoisoning, wf('  push:\n    tags: ["*"]\n    branches: [release]', step))).toHaveLength(1);
  });
});
