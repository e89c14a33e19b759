/** `npm run docs`: regenerates docs/checks.md from the check metadata. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS } from '../checks/registry.js';
import { renderCheckDocs } from '../report/check-docs.js';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/checks.md');
writeFileSync(target, renderCheckDocs(ALL_CHECKS));
console.log(`wrote ${path.relative(process.cwd(), target)} (${ALL_CHECKS.length} checks)`);
