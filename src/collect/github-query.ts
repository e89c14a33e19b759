/**
 * The GraphQL documents collect/github sends, and the shapes of their answers. Both documents are
 * validated against GitHub's published schema (@octokit/graphql-schema) in test/collect.
 *
 * Cost of REPO_QUERY (GitHub: sum over connections of the requests needed to fill them at `first`,
 * divided by 100, minimum 1): branchProtectionRules 1 + bypassPullRequestAllowances 1 + rulesets 1
 * + bypassActors 20 + rules 20 + environments 1 + protectionRules 20 + reviewers 20*5 = ~164 requests
 * -> 2 points (rounded); the `rateLimit { cost }` selection reports the real figure.
 */

/*
 * Selections shared with the sweep's batch query (src/sweep/query.ts), as GraphQL fragment text: a
 * document spreads them and appends SETTINGS_FRAGMENTS once (GraphQL rejects unused or repeated fragments).
 * Connections whose page size differs between the two documents (rulesets, their bypass actors and
 * rules, environments) stay at the use site, so each document's `first` values are explicit there.
 */

/** What repoFacts reads, and the default branch's classic protection rule (`...RepoFactsFields` on Repository). */
const REPO_FACTS_FIELDS = /* GraphQL */ `
fragment RepoFactsFields on Repository {
  nameWithOwner
  isArchived
  isFork
  isPrivate
  visibility
  owner { __typename login }
  planFeatures { codeowners draftPullRequests }
  defaultBranchRef {
    name
    target { oid }
    branchProtectionRule { ...BranchProtectionFields }
  }
}
`;

/** The default branch's classic protection rule (`...BranchProtectionFields` on BranchProtectionRule). */
const BRANCH_PROTECTION_FIELDS = /* GraphQL */ `
fragment BranchProtectionFields on BranchProtectionRule {
  pattern
  isAdminEnforced
  requiresApprovingReviews
  requiredApprovingReviewCount
  requiresCodeOwnerReviews
  dismissesStaleReviews
  requireLastPushApproval
  requiresStatusChecks
  requiredStatusChecks { context }
  allowsForcePushes
  allowsDeletions
  bypassPullRequestAllowances(first: 20) { totalCount }
}
`;

/** A ruleset's own fields, without its connections (`...RulesetFields` on RepositoryRuleset). */
const RULESET_FIELDS = /* GraphQL */ `
fragment RulesetFields on RepositoryRuleset {
  databaseId
  name
  enforcement
  target
  source { __typename ... on Repository { nameWithOwner } ... on Organization { login } }
  conditions { refName { include exclude } }
}
`;

/** One bypass actor of a ruleset (`...BypassActorFields` on RepositoryRulesetBypassActor). */
const BYPASS_ACTOR_FIELDS = /* GraphQL */ `
fragment BypassActorFields on RepositoryRulesetBypassActor {
  bypassMode
  organizationAdmin
  deployKey
  repositoryRoleDatabaseId
  repositoryRoleName
  actor { __typename ... on App { databaseId slug } ... on Team { databaseId slug } }
}
`;

/**
 * Every shared fragment, for a document to append once: RepoFactsFields (which spreads
 * BranchProtectionFields), RulesetFields and BypassActorFields.
 */
export const SETTINGS_FRAGMENTS = `${REPO_FACTS_FIELDS}${BRANCH_PROTECTION_FIELDS}${RULESET_FIELDS}${BYPASS_ACTOR_FIELDS}`;

/** `$ref` is a git revision expression (`HEAD`, a branch, a tag or a commit SHA) passed as a variable. */
export const REPO_QUERY = /* GraphQL */ `
query PipelineGuardRepo($owner: String!, $name: String!, $ref: String!) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    databaseId
    ...RepoFactsFields
    branchProtectionRules(first: 20) { totalCount nodes { pattern isAdminEnforced requiresApprovingReviews requiredApprovingReviewCount } }
    rulesets(first: 20, includeParents: true) {
      totalCount
      nodes {
        ...RulesetFields
        bypassActors(first: 20) { totalCount nodes { ...BypassActorFields } }
        rules(first: 20) { totalCount nodes { type } }
      }
    }
    environments(first: 20) {
      totalCount
      nodes {
        name
        databaseId
        protectionRules(first: 5) {
          nodes { type timeout preventSelfReview reviewers(first: 6) { totalCount } }
        }
      }
    }
    commit: object(expression: $ref) {
      __typename
      ...CommitFiles
      ... on Tag { target { __typename ...CommitFiles } }
    }
  }
}

fragment CommitFiles on Commit {
  oid
  tree { oid }
  workflowsDir: file(path: ".github/workflows") {
    object {
      __typename
      ... on Tree {
        entries { name path type mode object { ... on Blob { oid byteSize isBinary isTruncated text } } }
      }
    }
  }
}
${SETTINGS_FRAGMENTS}`;

const OID = /^[0-9a-f]{40}$/;

/**
 * A batch query for the text of many blobs by object id (one GraphQL call for up to BLOB_BATCH files,
 * instead of one REST call each). Oids come from the git tree and are checked to be 40 hex digits, so
 * inlining them cannot change the document.
 */
export function blobTextQuery(owner: string, name: string, oids: readonly string[]): { query: string; variables: Record<string, string> } {
  const fields = oids.map((oid, i) => {
    if (!OID.test(oid)) throw new Error(`not a git object id: ${JSON.stringify(oid)}`);
    return `    b${i}: object(oid: "${oid}") { ... on Blob { oid byteSize isBinary isTruncated text } }`;
  });
  const query = `query PipelineGuardBlobs($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n${fields.join('\n')}\n  }\n}\n`;
  return { query, variables: { owner, name } };
}

export const BLOB_BATCH = 50;

// ---- Response shapes (only what is selected above; everything nullable GitHub may null) ----

export interface GqlBlob {
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

export interface GqlTreeEntry {
  name: string;
  path: string | null;
  type: string;
  mode: number;
  object: Partial<GqlBlob> | null;
}

export interface GqlCommit {
  __typename: 'Commit';
  oid: string;
  tree: { oid: string };
  workflowsDir: { object: { __typename: string; entries?: GqlTreeEntry[] } | null } | null;
}

export interface GqlBranchProtectionRule {
  pattern: string;
  isAdminEnforced: boolean;
  requiresApprovingReviews: boolean;
  requiredApprovingReviewCount: number | null;
  requiresCodeOwnerReviews: boolean;
  dismissesStaleReviews: boolean;
  requireLastPushApproval: boolean;
  requiresStatusChecks: boolean;
  requiredStatusChecks: { context: string }[] | null;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  bypassPullRequestAllowances: { totalCount: number } | null;
}

export interface GqlBypassActor {
  bypassMode: string | null;
  organizationAdmin: boolean;
  deployKey: boolean;
  repositoryRoleDatabaseId: number | null;
  repositoryRoleName: string | null;
  actor: { __typename: string; databaseId?: number | null; slug?: string } | null;
}

/** What `...RulesetFields` selects, with the `bypassActors { totalCount nodes { ...BypassActorFields } }` both documents page. */
export interface GqlRulesetFields {
  databaseId: number | null;
  name: string;
  enforcement: string;
  target: string | null;
  source: { __typename: string; nameWithOwner?: string; login?: string };
  conditions: { refName: { include: string[]; exclude: string[] } | null };
  bypassActors: { totalCount: number; nodes: (GqlBypassActor | null)[] | null } | null;
}

export interface GqlRuleset extends GqlRulesetFields {
  source: { __typename: string; nameWithOwner?: string; login?: string; slug?: string };
  rules: { totalCount: number; nodes: ({ type: string } | null)[] | null } | null;
}

export interface GqlEnvironment {
  name: string;
  databaseId: number | null;
  protectionRules: {
    nodes: ({ type: string; timeout: number; preventSelfReview: boolean | null; reviewers: { totalCount: number } } | null)[] | null;
  };
}

/** What `...RepoFactsFields` selects. */
export interface GqlRepoFacts {
  nameWithOwner: string;
  isArchived: boolean;
  isFork: boolean;
  isPrivate: boolean;
  visibility: 'PUBLIC' | 'PRIVATE' | 'INTERNAL';
  owner: { __typename: string; login: string };
  planFeatures: { codeowners: boolean; draftPullRequests: boolean } | null;
  defaultBranchRef: { name: string; target: { oid: string } | null; branchProtectionRule: GqlBranchProtectionRule | null } | null;
}

export interface GqlRepository extends GqlRepoFacts {
  databaseId: number | null;
  branchProtectionRules: { totalCount: number; nodes: unknown[] | null } | null;
  rulesets: { totalCount: number; nodes: (GqlRuleset | null)[] | null } | null;
  environments: { totalCount: number; nodes: (GqlEnvironment | null)[] | null } | null;
  commit: (GqlCommit | { __typename: 'Tag'; target: GqlCommit | { __typename: string } | null } | { __typename: string }) | null;
}

export interface GqlRepoResponse {
  rateLimit?: { cost: number; remaining: number; resetAt: string } | null;
  repository: GqlRepository | null;
}

export interface GqlBlobsResponse {
  repository: Record<string, Partial<GqlBlob> | null> | null;
}
