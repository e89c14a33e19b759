/**
 * S1 hardcoded-secret: literal credentials in workflows, composite actions, Dockerfiles, Python
 * sources, notebooks and env files. Findings show the kind and a redacted prefix, never the value.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Check, CheckInput } from '../types.js';
import type { FindingDraft, Severity } from '../../model/types.js';
import { lower } from '../../model/types.js';
import type { SnapshotFile } from '../../model/snapshot.js';
import type { WorkflowFile } from '../../workflows/model.js';
import { mapperFor, OffsetMapper } from '../../workflows/expressions.js';
import { assignmentHits, dedupe, HintIndex, isSecretName, looksLikeCredential, redacted, tokenHits, type SecretHit } from './lib-secrets.js';
import { isTemplatePath, isTestPath, locate } from './lib-text.js';
import { notebookTexts } from './lib-notebook.js';

/** At most this many findings per file: one leaked file must not drown the report. */
const MAX_PER_FILE = 50;
/** YAML nodes visited per workflow (aliases are not followed, so this bounds the walk). */
const MAX_NODES = 100_000;

function severityFor(hit: SecretHit, path: string): Severity {
  let s: Severity = hit.confidence === 'token' && !hit.lowRisk ? 'critical' : 'high';
  if (isTestPath(path) || isTemplatePath(path)) s = lower(s);
  return s;
}

function describe(hit: SecretHit): string {
  return hit.confidence === 'token' ? `${hit.label} (${redacted(hit)})` : `a ${hit.label} (${redacted(hit)})`;
}

interface Ctx {
  out: FindingDraft[];
  path: string;
}

function push(ctx: Ctx, draft: FindingDraft): void {
  if (ctx.out.filter((f) => f.path === ctx.path).length < MAX_PER_FILE) ctx.out.push(draft);
}

/** Every scalar of a workflow, and every key/value pair whose key names a credential. */
function scanWorkflow(w: WorkflowFile, out: FindingDraft[]): void {
  const mapper = mapperFor(w);
  const ctx: Ctx = { out, path: w.path };
  const hits: { hit: SecretHit; base: number; where: string }[] = [];
  let visits = 0;
  const index = new HintIndex(w.text);
  const scalarHits = (node: unknown): SecretHit[] => {
    const range = (node as { range?: [number, number, number] }).range;
    if (!range) return [];
    const mayToken = index.mayHoldToken(range[0], range[1]);
    const mayName = index.mayHoldName(range[0], range[1]);
    if (!mayToken && !mayName) return [];
    const raw = w.text.slice(range[0], range[1]);
    const found = dedupe([...(mayToken ? tokenHits(raw) : []), ...(mayName ? assignmentHits(raw, false) : [])]);
    for (const h of found) hits.push({ hit: h, base: range[0], where: '' });
    return found;
  };
  const walk = (node: unknown): void => {
    if (++visits > MAX_NODES || !node) return;
    if (isScalar(node)) {
      scalarHits(node);
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        walk(pair.key);
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const v = pair.value;
        if (key && isScalar(v) && isSecretName(key)) {
          const before = hits.length;
          scalarHits(v);
          const range = v.range;
          const value = v.value === null || v.value === undefined ? '' : String(v.value);
          if (hits.length === before && range && looksLikeCredential(value)) {
            const quoted = v.type === 'QUOTE_DOUBLE' || v.type === 'QUOTE_SINGLE' ? 1 : 0;
            hits.push({
              hit: { kind: 'credential-assignment', label: `literal credential assigned to ${key}`, prefix: '', start: quoted, end: range[1] - range[0] - quoted, value, secretName: key.toUpperCase().replace(/-/g, '_'), confidence: 'generic' },
              base: range[0],
              where: key,
            });
          }
        } else {
          walk(v);
        }
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item);
    }
  };
  walk(w.doc.contents);
  // Registry passwords of `container:` / `services:` are credentials whatever they look like.
  for (const job of w.jobs) {
    for (const img of [job.container, ...job.services]) {
      for (const kv of img?.credentials ?? []) {
        if (kv.key !== 'password' || !kv.value || kv.value.includes('${{') || hits.some((h) => h.base + h.hit.start >= kv.loc.offset && h.base + h.hit.start < kv.loc.endOffset)) continue;
        const raw = w.text.slice(kv.loc.offset, kv.loc.endOffset);
        const quoted = /^["']/.test(raw) ? 1 : 0;
        hits.push({
          hit: { kind: 'container-registry-password', label: 'container registry password', prefix: '', start: quoted, end: raw.length - quoted, value: kv.value, secretName: 'REGISTRY_PASSWORD', confidence: 'generic' },
          base: kv.loc.offset,
          where: 'password',
        });
      }
    }
  }
  hits.sort((a, b) => a.base + a.hit.start - (b.base + b.hit.start));
  const seen = new Set<number>();
  for (const { hit, base } of hits) {
    const start = base + hit.start;
    if (seen.has(start)) continue;
    seen.add(start);
    const loc = mapper.loc(start, base + hit.end);
    const { job, step } = locate(w, start);
    // The step label may quote the run line that holds the secret: use the index only then.
    const stepName = step ? (step.name?.value && !step.name.value.includes(hit.value) ? `step ${step.index + 1} (${step.name.value.slice(0, 60)})` : `step ${step.index + 1}`) : undefined;
    const where = job ? `job "${job.id}"${stepName ? `, ${stepName}` : ''}` : 'the workflow';
    const isWorkflow = w.kind === 'workflow';
    const fileKind = isWorkflow ? 'workflow' : 'action';
    push(ctx, {
      severity: severityFor(hit, w.path),
      message: `${cap(describe(hit))} is written literally in the ${fileKind} (${where}); move it to a secret and rotate it.`,
      path: w.path,
      region: { line: loc.line, column: loc.column, endLine: loc.endLine, endColumn: loc.endColumn },
      job: job && job.id !== '(composite)' ? job.id : undefined,
      step: stepName,
      fixable: isWorkflow,
      data: { kind: hit.kind, length: hit.value.length, secretName: hit.secretName, offset: start, endOffset: base + hit.end },
    });
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function fileFindings(ctx: Ctx, text: string, hits: { hit: SecretHit; offset: number }[], what: string, mapper: OffsetMapper): void {
  for (const { hit, offset } of hits) {
    const pos = mapper.pos(offset);
    const len = Math.min(hit.end - hit.start, 200);
    const endPos = mapper.pos(Math.min(text.length, offset + len));
    push(ctx, {
      severity: severityFor(hit, ctx.path),
      message: `${cap(describe(hit))} is written literally in ${what}; remove it, load it from the environment or a secret store, and rotate it.`,
      path: ctx.path,
      region: { line: pos.line, column: pos.column, endLine: endPos.line, endColumn: endPos.column },
      fixable: false,
      data: { kind: hit.kind, length: hit.value.length, secretName: hit.secretName },
    });
  }
}

function scanTextFile(input: CheckInput, file: SnapshotFile, out: FindingDraft[], kind: 'python' | 'env' | 'dockerfile'): void {
  if (file.lfsPointer) return;
  const text = input.textOf(file);
  if (text === undefined) return;
  const hits = dedupe([...tokenHits(text), ...assignmentHits(text, kind === 'python')]);
  const what = kind === 'python' ? 'Python source' : kind === 'env' ? 'an env file' : 'the Dockerfile';
  fileFindings({ out, path: file.path }, text, hits.map((hit) => ({ hit, offset: hit.start })), what, OffsetMapper.ofText(text));
}

function scanNotebook(input: CheckInput, file: SnapshotFile, out: FindingDraft[]): void {
  if (file.lfsPointer) return;
  const text = input.textOf(file);
  if (text === undefined) return;
  const mapper = OffsetMapper.ofText(text);
  const parts = notebookTexts(text);
  if (!parts) {
    // Not notebook JSON (truncated, hand-edited): scan it as plain text rather than skip it.
    const hits = dedupe([...tokenHits(text), ...assignmentHits(text, true)]);
    fileFindings({ out, path: file.path }, text, hits.map((hit) => ({ hit, offset: hit.start })), 'the notebook', mapper);
    return;
  }
  const all: { hit: SecretHit; offset: number }[] = [];
  const seen = new Set<number>();
  for (const part of parts) {
    for (const hit of dedupe([...tokenHits(part.text), ...assignmentHits(part.text, true)])) {
      const offset = part.offsets[hit.start] ?? 0;
      if (seen.has(offset)) continue;
      seen.add(offset);
      all.push({ hit, offset });
    }
  }
  all.sort((a, b) => a.offset - b.offset);
  fileFindings({ out, path: file.path }, text, all, 'a notebook cell or output', mapper);
}

export const hardcodedSecret: Check = {
  meta: {
    id: 'hardcoded-secret',
    title: 'Literal credential in a workflow, Dockerfile, source file, notebook or env file',
    defaultSeverity: 'critical',
    severityNote:
      'Critical for provider token formats (Hugging Face, AWS, OpenAI, GitHub, PyPI…); high for literals assigned to credential-like names and for Google API keys; one step lower under test fixtures and in env templates.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-6'], ssdf: ['PS.1.1', 'PO.5.1'], atlas: ['AML.T0055'] },
    docs: {
      why:
        'A token committed to the repository is readable by everyone who can read the code, forever: it stays in git history, ' +
        'forks and clones after it is deleted. Hugging Face, W&B, cloud and registry tokens let an attacker replace models and ' +
        'datasets, read experiment data or publish packages in your name (Lasso Security found 1,681 valid Hugging Face tokens in public repositories in 2023).',
      howToFix:
        'Revoke and rotate the token first: it is already in history. Then store it as an encrypted secret (repository or, better, ' +
        'environment secret) and reference it as `${{ secrets.NAME }}` in workflows; in code, read it from the environment ' +
        '(`os.environ["HF_TOKEN"]`); in Dockerfiles use BuildKit secret mounts (`RUN --mount=type=secret,id=hf_token`), never ENV/ARG. ' +
        'Clear notebook outputs before committing. Prefer OIDC federation over static cloud keys.',
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions',
        'https://huggingface.co/docs/hub/security-tokens',
        'https://docs.docker.com/build/building/secrets/',
        'https://owasp.org/www-project-top-10-ci-cd-security-risks/CICD-SEC-06-Insufficient-Credential-Hygiene',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of [...input.workflows, ...input.actions]) scanWorkflow(w, out);
    for (const d of input.filesWithRole('dockerfile')) scanTextFile(input, d, out, 'dockerfile');
    for (const f of input.filesWithRole('python')) scanTextFile(input, f, out, 'python');
    for (const f of input.filesWithRole('env')) scanTextFile(input, f, out, 'env');
    for (const f of input.filesWithRole('notebook')) scanNotebook(input, f, out);
    return out;
  },
};
