import { describe, expect, it } from 'vitest';
import { validate } from '@octokit/graphql-schema';
import { batchQuery, DEFAULT_BATCH_SIZE } from '../../src/sweep/query.js';
import { graphqlCost } from '../helpers/graphql-cost.js';

describe('sweep batch query', () => {
  it('validates against the GitHub schema and passes repository names as variables', () => {
    const { query, variables } = batchQuery('acme', ['a', 'b"){x}', 'c']);
    expect(validate(query).map((e) => e.message)).toEqual([]);
    expect(query).not.toContain('b"){x}');
    expect(variables).toEqual({ owner: 'acme', n0: 'a', n1: 'b"){x}', n2: 'c' });
    expect(query).toContain('r2: repository(owner: $owner, name: $n2)');
  });

  it('costs at most 0.65 points per repository at the default batch size (environment protection rules included)', () => {
    const names = Array.from({ length: DEFAULT_BATCH_SIZE }, (_, i) => `repo${i}`);
    const { query, variables } = batchQuery('acme', names);
    const cost = graphqlCost(query, variables);
    // Per repository: 23 requests for rulesets and protection, 1 + 10 + 30 for environments, their rules and reviewers.
    expect(cost.requests).toBe(63 * DEFAULT_BATCH_SIZE);
    expect(cost.points).toBeLessThanOrEqual(16);
    expect(cost.points / DEFAULT_BATCH_SIZE).toBeLessThanOrEqual(0.65);
    // One repository alone still costs the minimum of one point.
    expect(graphqlCost(batchQuery('acme', ['x']).query).points).toBe(1);
  });
});
