/**
 * GitHub's GraphQL cost formula: one implementation, the simulator's (src/sim/graphql-cost.ts).
 * Used to report what the recorded requests of an audit cost.
 */
import { graphqlCost as simCost } from '../../src/sim/graphql-cost.js';

export function graphqlCost(query: string, variables: Record<string, unknown> = {}): { requests: number; points: number } {
  const { requests, points } = simCost(query, variables);
  return { requests, points };
}
