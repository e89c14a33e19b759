import type { Check } from '../types.js';
import { pointRegion } from '../locs.js';

export const workflowInvalid: Check = {
  meta: {
    id: 'workflow-invalid',
    title: 'Workflow or action file that does not parse or breaks the schema',
    defaultSeverity: 'medium',
    inputs: ['F'],
    fix: 'guide',
    tier: 1,
    standards: { owasp: ['CICD-SEC-7'], ssdf: ['PW.7.2'], atlas: [] },
    docs: {
      why:
        'GitHub refuses to run a workflow it cannot parse, and a file that is not what it seems (binary data, an alias bomb, ' +
        'a duplicate key that silently replaces another) hides what the pipeline really does from reviewers and from every check.',
      howToFix:
        'Fix the YAML at the reported line. Duplicate keys must be merged; binary or non-UTF-8 files do not belong under ' +
        '.github/workflows. `actionlint` gives further schema detail.',
      references: ['https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax'],
    },
  },
  /** One finding per file, at its first problem: a broken file is one problem to fix, not twenty. */
  run(input) {
    return input.invalid.flatMap((file) => {
      const [first, ...rest] = [...file.problems].sort((a, b) => a.line - b.line || a.column - b.column);
      if (!first) return [];
      const more = rest.length === 0 ? '' : ` (and ${rest.length} more: ${rest.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ')}${rest.length > 3 ? '; …' : ''})`;
      return [
        {
          severity: 'medium' as const,
          message: `${file.kind === 'action' ? 'action metadata' : 'workflow'} is invalid: ${first.message}${more}`,
          path: file.path,
          region: pointRegion(first.line, first.column),
          data: { problems: file.problems.length },
        },
      ];
    });
  },
};
