/** SARIF 2.1.0: one run per scanned root, ruleId = check id, 1-based regions, paths relative to the root. */
import type { Check } from '../checks/types.js';
import type { Finding, Severity } from '../model/types.js';
import { VERSION } from '../version.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning reads `security-severity` (0-10) to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export interface SarifRunInput {
  findings: Finding[];
  warnings: string[];
  notEvaluated: { checkId: string; reason: string; permission?: string }[];
}

function encodeUri(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function toSarif(runs: SarifRunInput[], checks: readonly Check[]): object {
  const rules = checks.map((c) => ({
    id: c.meta.id,
    name: c.meta.id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: c.meta.title },
    fullDescription: { text: c.meta.docs.why },
    help: { text: c.meta.docs.howToFix, markdown: `${c.meta.docs.howToFix}\n\n${c.meta.docs.references.map((r) => `- ${r}`).join('\n')}` },
    helpUri: `https://github.com/pipeline-guard/pipeline-guard/blob/main/docs/checks.md#${c.meta.id}`,
    defaultConfiguration: { level: LEVEL[c.meta.defaultSeverity] },
    properties: {
      tags: ['security', ...c.meta.standards.owasp, ...c.meta.standards.ssdf.map((s) => `SSDF-${s}`), ...c.meta.standards.atlas.map((a) => `ATLAS-${a}`)],
      'security-severity': SECURITY_SEVERITY[c.meta.defaultSeverity],
      precision: 'high',
    },
  }));
  const index = new Map(checks.map((c, i) => [c.meta.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: runs.map((run) => ({
      tool: { driver: { name: 'pipeline-guard', version: VERSION, semanticVersion: VERSION, informationUri: 'https://github.com/pipeline-guard/pipeline-guard', rules } },
      originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the scanned repository.' } } },
      results: run.findings.map((f) => ({
        ruleId: f.checkId,
        ...(index.has(f.checkId) ? { ruleIndex: index.get(f.checkId) } : {}),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeUri(f.path), uriBaseId: '%SRCROOT%' },
              ...(f.region
                ? { region: { startLine: f.region.line, startColumn: f.region.column, endLine: f.region.endLine, endColumn: Math.max(f.region.endColumn, f.region.endLine === f.region.line ? f.region.column : 1) } }
                : {}),
            },
          },
        ],
        properties: { severity: f.severity, 'security-severity': SECURITY_SEVERITY[f.severity], ...(f.job ? { job: f.job } : {}) },
      })),
      invocations: [
        {
          executionSuccessful: true,
          toolExecutionNotifications: [
            ...run.warnings.map((w) => ({ level: 'warning', message: { text: w } })),
            // A check that could not decide is a note on its rule, never a silent pass.
            ...run.notEvaluated.map((n) => ({
              level: 'note',
              message: { text: `not evaluated: ${n.reason}${n.permission ? ` (grant "${n.permission}")` : ''}` },
              associatedRule: { id: n.checkId },
            })),
          ],
        },
      ],
    })),
  };
}
