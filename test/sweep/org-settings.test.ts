import { describe, expect, it } from 'vitest';
import { OrgSettings } from '../../src/sweep/org-settings.js';
import type { OctokitLike } from '../../src/collect/github-rest.js';

describe('OrgSettings for a user account', () => {
  it('reads nothing: the Actions settings are unavailable and no organisation secret is shared', async () => {
    const routes: string[] = [];
    const octokit: OctokitLike = {
      request: async (route) => {
        routes.push(route);
        throw new Error(`unexpected request ${route}`);
      },
      graphql: async () => {
        throw new Error('unexpected GraphQL request');
      },
    };
    const user = new OrgSettings(octokit, 'octocat', false);
    const unavailable = { status: 'unavailable', reason: 'the owner is not an organisation' };
    expect(await user.actions()).toEqual(unavailable);
    expect(await user.workflow()).toEqual(unavailable);
    expect(await user.forkPrPrivate()).toEqual(unavailable);
    expect(await user.secrets()).toEqual({ status: 'ok', value: [] });
    expect(routes).toEqual([]);
  });
});
