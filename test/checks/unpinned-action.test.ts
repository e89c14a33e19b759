import { unpinnedAction } from '../../src/checks/supply-chain/unpinned-action.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { describe, expect, it } from 'vitest';
import { scanSnapshot } from '../../src/engine/scan.js';

describeFixtures(unpinnedAction);

describe('unpinned-action data for the fixer', () => {
  it('carries the action and ref, and one finding per anchored step', () => {
    const yaml = `on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - &co { uses: "actions/checkout@v4" }
      - *co
`;
    const { findings } = scanSnapshot({ source: 'local', warnings: [], files: [{ path: '.github/workflows/x.yml', size: yaml.length, bytes: new TextEncoder().encode(yaml) }] }, [unpinnedAction]);
    expect(findings).toHaveLength(1);
    expect(findings[0].data).toEqual({ action: 'actions/checkout', ref: 'v4' });
    expect(findings[0].region?.line).toBe(7);
  });
});
