/**
 * D1 unpinned-image: container images used by jobs, services, `docker://` steps, Docker actions and
 * Dockerfile `FROM` lines that are not pinned by digest (`@sha256:…`).
 */
import { isScalar } from 'yaml';
import type { FindingDraft, Region, Severity } from '../../model/types.js';
import type { WorkflowFile } from '../../workflows/model.js';
import { jobPublishes } from '../../workflows/context.js';
import { mapperFor } from '../../workflows/expressions.js';
import { pointRegion, region, stepLabel } from '../locs.js';
import type { Check, ParsedDockerfile } from '../types.js';
import { imageCandidates, imageInfo, isFloating, matrixResolver } from './lib-images.js';
import { contentRegion, siteLabel } from './lib-uses.js';

const noMatrix = (): never[] => [];

function describe(images: string[]): string {
  const q = images.slice(0, 3).map((i) => `"${i}"`).join(', ');
  return images.length > 3 ? `${q} and ${images.length - 3} more` : q;
}

/** Unpinned images among the candidates, and the severity they deserve. */
function judge(images: string[], deploys: boolean): { unpinned: string[]; severity: Severity; floating: boolean } | undefined {
  const infos = images.map(imageInfo).filter((i) => !i.pinned);
  if (infos.length === 0) return undefined;
  const floating = infos.some(isFloating);
  return { unpinned: infos.map((i) => i.image), severity: floating || deploys ? 'high' : 'medium', floating };
}

function tail(floating: boolean): string {
  return floating ? ' and has no tag or uses "latest", so every run may pull different content' : ', so the tag can be repointed';
}

/** FROM lines: `FROM [--flag=…]… image [AS name]`, skipping scratch, earlier stages and unresolved ARGs. */
function dockerfileFindings(df: ParsedDockerfile): FindingDraft[] {
  const out: FindingDraft[] = [];
  const args = new Map<string, string>();
  const stages = new Set<string>();
  let seenFrom = false;
  const lines = df.text.split(/\r?\n/);
  for (const ins of df.instructions) {
    if (ins.keyword === 'ARG' && !seenFrom) {
      for (const decl of ins.args.split(/\s+/)) {
        const m = /^([A-Za-z_]\w*)(?:=(.*))?$/.exec(decl);
        if (m && m[2] !== undefined) args.set(m[1], m[2].replace(/^["']|["']$/g, ''));
      }
      continue;
    }
    if (ins.keyword !== 'FROM') continue;
    seenFrom = true;
    const words = ins.args.split(/\s+/).filter(Boolean);
    let k = 0;
    while (k < words.length && words[k].startsWith('--')) k++;
    const raw = words[k];
    if (!raw) continue;
    if (words[k + 1]?.toLowerCase() === 'as' && words[k + 2]) stages.add(words[k + 2].toLowerCase());
    let unresolved = false;
    const image = raw.replace(/\$\{([A-Za-z_]\w*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_m, a: string | undefined, def: string | undefined, b: string | undefined) => {
      const name = (a ?? b) as string;
      const v = args.get(name) ?? def;
      if (v === undefined) unresolved = true;
      return v ?? '';
    });
    if (unresolved || image === '') continue;
    if (image.toLowerCase() === 'scratch' || stages.has(image.toLowerCase())) continue;
    // The stage declared on this line is only visible to later FROMs, but a self-reference is impossible anyway.
    const verdict = judge([image], false);
    if (!verdict) continue;
    const lineText = lines[ins.line - 1] ?? '';
    const col = lineText.indexOf(raw, ins.argsColumn - 1);
    const r = col === -1 ? pointRegion(ins.line, ins.argsColumn) : pointRegion(ins.line, col + 1, raw.length);
    out.push({
      severity: verdict.severity,
      message: `FROM ${raw === image ? `"${image}"` : `"${raw}" (resolves to "${image}")`} is not pinned by digest${tail(verdict.floating)}.`,
      path: df.path,
      region: r,
      fixable: true,
      data: { image },
    });
  }
  return out;
}

function workflowFindings(w: WorkflowFile): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const job of w.jobs) {
    const deploys = w.kind === 'workflow' && (jobPublishes(job) || !!job.environment);
    const resolve = w.kind === 'workflow' ? matrixResolver(w, job.id) : noMatrix;
    const images = [...(job.container ? [job.container] : []), ...job.services];
    for (const ref of images) {
      const cands = imageCandidates(ref.image, resolve);
      const verdict = judge(cands.images, deploys);
      if (!verdict) continue;
      const what = ref.role === 'service' ? `service "${ref.serviceName}"` : 'job container';
      const via = ref.image.includes('${{') ? ` (from "${ref.image}")` : '';
      out.push({
        severity: verdict.severity,
        message: `${what} of job "${job.id}" uses image ${describe(verdict.unpinned)}${via} without a digest${tail(verdict.floating)}${deploys ? ' in a job that publishes or deploys' : ''}.`,
        path: w.path,
        region: region(ref.loc),
        job: job.id,
        fixable: true,
        data: { image: verdict.unpinned[0] },
      });
    }
    for (const step of job.steps) {
      if (!step.uses || !step.uses.value.trim().startsWith('docker://')) continue;
      const verdict = judge([step.uses.value.trim()], deploys);
      if (!verdict) continue;
      out.push({
        severity: verdict.severity,
        message: `${siteLabel({ file: w, job, step }, stepLabel)} runs image "${verdict.unpinned[0]}" without a digest${tail(verdict.floating)}.`,
        path: w.path,
        region: contentRegion(w, step.uses),
        job: w.kind === 'workflow' ? job.id : undefined,
        step: stepLabel(step),
        fixable: true,
        data: { image: verdict.unpinned[0] },
      });
    }
  }
  return out;
}

/** Docker container actions: `runs: { using: docker, image: docker://… }`. */
function dockerActionFindings(a: WorkflowFile): FindingDraft[] {
  if (a.runsUsing !== 'docker') return [];
  let node: unknown;
  try {
    node = a.doc.getIn(['runs', 'image'], true);
  } catch {
    return [];
  }
  if (!isScalar(node) || typeof node.value !== 'string' || !node.value.trim().startsWith('docker://')) return [];
  const verdict = judge([node.value], false);
  const range = node.range;
  if (!verdict || !range) return [];
  const r: Region = region(mapperFor(a).loc(range[0], range[1]));
  return [{
    severity: verdict.severity,
    message: `Docker action runs image "${verdict.unpinned[0]}" without a digest${tail(verdict.floating)}.`,
    path: a.path,
    region: r,
    fixable: true,
    data: { image: verdict.unpinned[0] },
  }];
}

export const unpinnedImage: Check = {
  meta: {
    id: 'unpinned-image',
    title: 'Container image not pinned by digest',
    defaultSeverity: 'medium',
    severityNote: 'Medium for a tag; high for `latest` or no tag, and for images used by jobs that publish or deploy.',
    inputs: ['F'],
    fix: 'edit',
    tier: 1,
    standards: { owasp: ['CICD-SEC-3'], ssdf: ['PW.4.1', 'PW.4.4'], atlas: ['AML.T0010.004'] },
    docs: {
      why:
        'An image tag is a mutable pointer: whoever can push to the repository (or compromise the registry account) decides what the ' +
        'next run pulls. Jobs, service containers and `docker://` steps run that image with the job\'s token and secrets, and a ' +
        'Dockerfile base image ends up inside the model-serving image you ship. `latest` or no tag changes on every upstream release. ' +
        'Codecov\'s 2021 breach started from credentials in a published image layer; a digest makes the bytes you reviewed the bytes you run.',
      howToFix:
        'Pin by digest and keep the tag for readability: `python:3.11-slim@sha256:<digest>` (get it with `docker buildx imagetools ' +
        'inspect python:3.11-slim` or `crane digest`; use the multi-arch index digest). For `docker://` steps use ' +
        '`docker://image@sha256:<digest>`. Enable Dependabot\'s `docker` (and `github-actions`) ecosystems so digests are refreshed.',
      references: [
        'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idcontainerimage',
        'https://docs.zizmor.sh/audits/#unpinned-images',
      ],
    },
  },
  run(input) {
    const out: FindingDraft[] = [];
    for (const w of input.workflows) out.push(...workflowFindings(w));
    for (const a of input.actions) out.push(...workflowFindings(a), ...dockerActionFindings(a));
    for (const df of input.dockerfiles) out.push(...dockerfileFindings(df));
    return out;
  },
};
