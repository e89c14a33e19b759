/** The GitHub simulator (benchmarks and end-to-end tests). */
export { GitHubSimulator, type SimulatorOptions, type SimStats } from './server.js';
export { generateOrg, repoFiles, repoName, type GeneratedOrg, type OrgOptions } from './org-generator.js';
export { graphqlCost } from './graphql-cost.js';
export { GitStore } from './git.js';
export type * from './state.js';
export { deliver, installationCreatedEvent, issueCommentCreatedEvent, pushEvent, rulesetEditedEvent, type WebhookEvent } from './webhooks.js';
