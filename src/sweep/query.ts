/**
 * The sweep's batched GraphQL document: one query reads many repositories (aliases `r0`, `r1`, …),
 * each with the settings REPO_QUERY reads, the text of every `.github/workflows/*` file, the
 * repository policy file, and the top TREE_DEPTH levels of the file tree (names and sizes only).
 *
 * Cost (GitHub: the requests needed to fill each connection at its `first`, summed, / 100, rounded,
 * minimum 1; `entries` and `object` are not connections): per repository bypassPullRequestAllowances 1
 * + rulesets 1 + bypassActors 10 + rules 10 + environments 1 + protectionRules 10 + reviewers 10 × 3
 * = 63 requests, so a batch of 25 costs 1,575 requests = 16 points (~0.63 points per repository).
 * The environment protection rules replace 1-3 REST reads per repository with workflows
 * (`…/environments`, `…/deployment-branch-policies`). Measured in test/sweep/query.test.ts.
 */
import { SETTINGS_FRAGMENTS, type GqlRepoFacts, type GqlRulesetFields } from '../collect/github-query.js';

/** Directory levels of the file tree read in the batch (root = 1). Deeper files are not seen. */
export const TREE_DEPTH = 3;
export const DEFAULT_BATCH_SIZE = 25;
export const RULESETS_FIRST = 10;
export const ENVIRONMENTS_FIRST = 10;
/** GitHub has three protection rule types (REQUIRED_REVIEWERS, WAIT_TIMER, BRANCH_POLICY), at most one of each. */
export const PROTECTION_RULES_FIRST = 3;

function treeSelection(depth: number): string {
  const blob = 'object { ... on Blob { byteSize } }';
  if (depth <= 1) return `entries { name type mode ${blob} }`;
  return `entries { name type mode object { ... on Blob { byteSize } ... on Tree { ${treeSelection(depth - 1)} } } }`;
}

export const SWEEP_FRAGMENT = /* GraphQL */ `
fragment SweepRepo on Repository {
  name
  url
  ...RepoFactsFields
  rulesets(first: ${RULESETS_FIRST}, includeParents: true) {
    totalCount
    nodes {
      ...RulesetFields
      bypassActors(first: 10) { totalCount nodes { ...BypassActorFields } }
      rules(first: 10) {
        totalCount
        nodes {
          type
          parameters {
            __typename
            ... on PullRequestParameters { requiredApprovingReviewCount requireCodeOwnerReview dismissStaleReviewsOnPush requireLastPushApproval }
          }
        }
      }
    }
  }
  environments(first: ${ENVIRONMENTS_FIRST}) {
    totalCount
    nodes {
      name
      databaseId
      protectionRules(first: ${PROTECTION_RULES_FIRST}) { totalCount nodes { type timeout preventSelfReview reviewers(first: 1) { totalCount } } }
    }
  }
  workflows: object(expression: "HEAD:.github/workflows") {
    ... on Tree { entries { name type mode object { ... on Blob { oid byteSize isBinary isTruncated text } } } }
  }
  policyFile: object(expression: "HEAD:.github/pipeline-guard.yml") { ... on Blob { byteSize isTruncated text } }
  tree: object(expression: "HEAD:") { ... on Tree { ${treeSelection(TREE_DEPTH)} } }
}
${SETTINGS_FRAGMENTS}`;

/** Repository names go into the document as GraphQL variables, never inlined. */
export function batchQuery(owner: string, names: readonly string[]): { query: string; variables: Record<string, string> } {
  const vars = names.map((_, i) => `$n${i}: String!`).join(', ');
  const fields = names.map((_, i) => `  r${i}: repository(owner: $owner, name: $n${i}) { ...SweepRepo }`).join('\n');
  const query = `query PipelineGuardSweep($owner: String!, ${vars}) {\n  rateLimit { cost remaining limit resetAt }\n${fields}\n}\n${SWEEP_FRAGMENT}`;
  const variables: Record<string, string> = { owner };
  names.forEach((n, i) => (variables[`n${i}`] = n));
  return { query, variables };
}

// ---- Response shapes (what is selected above) ----

export interface SweepTreeEntry {
  name: string;
  type: string;
  mode: number;
  object: { byteSize?: number; entries?: SweepTreeEntry[] } | null;
}

export interface SweepWorkflowEntry {
  name: string;
  type: string;
  mode: number;
  object: { oid?: string; byteSize?: number; isBinary?: boolean | null; isTruncated?: boolean; text?: string | null } | null;
}

export interface SweepRuleset extends GqlRulesetFields {
  rules: { totalCount: number; nodes: ({ type: string; parameters: ({ __typename: string } & Record<string, unknown>) | null } | null)[] | null } | null;
}

export interface SweepProtectionRule {
  type: string;
  timeout: number;
  preventSelfReview: boolean | null;
  reviewers: { totalCount: number };
}

export interface SweepEnvironment {
  name: string;
  databaseId: number | null;
  protectionRules: { totalCount: number; nodes: (SweepProtectionRule | null)[] | null };
}

export interface SweepRepository extends GqlRepoFacts {
  name: string;
  url: string;
  rulesets: { totalCount: number; nodes: (SweepRuleset | null)[] | null } | null;
  environments: { totalCount: number; nodes: (SweepEnvironment | null)[] | null } | null;
  workflows: { entries?: SweepWorkflowEntry[] } | null;
  policyFile: { byteSize?: number; isTruncated?: boolean; text?: string | null } | null;
  tree: { entries?: SweepTreeEntry[] } | null;
}

export interface SweepBatchResponse {
  rateLimit?: { cost: number; remaining: number; limit: number; resetAt: string } | null;
  [alias: string]: SweepRepository | null | SweepBatchResponse['rateLimit'];
}
