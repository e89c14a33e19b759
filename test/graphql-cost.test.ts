import { describe, expect, it } from 'vitest';
import { graphqlCost } from './helpers/graphql-cost.js';
import { REPO_QUERY } from '../src/collect/github-query.js';

describe('GraphQL cost', () => {
  it('matches the worked example of GitHub\'s rate-limit documentation (5,101 requests, 51 points)', () => {
    const q = `query { viewer { login repositories(first: 100) { edges { node { id
      issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }`;
    expect(graphqlCost(q)).toEqual({ requests: 5101, points: 51 });
  });

  it('follows fragments and costs at least one point', () => {
    expect(graphqlCost('query { a { ...F } } fragment F on X { b(first: 10) { c } }')).toEqual({ requests: 1, points: 1 });
    expect(graphqlCost('query { viewer { login } }').points).toBe(1);
  });

  it('the repository query of an audit costs 2 points', () => {
    expect(graphqlCost(REPO_QUERY)).toEqual({ requests: 164, points: 2 });
  });
});
