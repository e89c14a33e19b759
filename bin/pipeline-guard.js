#!/usr/bin/env node
// Runs the compiled CLI (dist/ is built by `npm ci` through the prepare script).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTty: Boolean(process.stdout.isTTY),
  env: process.env,
});
process.exitCode = code;
