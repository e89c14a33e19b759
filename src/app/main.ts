/**
 * Entry point of the GitHub App: `node dist/app/main.js`. Probot's `run` reads the environment
 * (.env.example lists every variable), starts the HTTP server with the webhook route, `/ping`
 * and our `/healthz`.
 */
import { run } from 'probot';
import { collectRepoSnapshot } from '../collect/github.js';
import { recordRequests, type HookableOctokit } from '../collect/record.js';
import { createApp } from './index.js';
import { appOctokit } from './octokit.js';

await run(
  createApp({
    collect: (octokit, target) => collectRepoSnapshot(octokit, target),
    // Octokit's hook types are generic over every plugin; the recorder declares the one shape it uses.
    record: (octokit, file) => recordRequests(octokit as unknown as HookableOctokit, file),
    recordFile: process.env.PIPELINE_GUARD_RECORD || undefined,
  }),
  { Octokit: appOctokit() },
);
