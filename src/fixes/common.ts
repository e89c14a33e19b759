/**
 * Helpers the fixers share: finding the YAML node of a job or step, adding entries to block
 * mappings, the whole lines an entry spans.
 */
import { isMap } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import type { Finding } from '../model/types.js';
import type { Job, Step, WorkflowFile } from '../workflows/model.js';
import { nodeAt, pairEnd, pairOf, type Located } from './doc.js';
import { columnOf, eolOf, insertLines, lineEnd, lineStart, offsetOf, startsLine } from './text.js';
import type { DocPath, Splice } from './types.js';

/** The block mapping that starts at `offset` (a job or a step), or why it cannot be edited. */
export function blockMapAt(w: WorkflowFile, offset: number): { map: YAMLMap; path: DocPath } | { error: string } {
  const found: Located | undefined = nodeAt(w.doc, offset, 'map');
  if (!found || !isMap(found.node)) return { error: 'its YAML node was not found (anchor or alias?)' };
  if (found.node.flow) return { error: 'it is written as a flow mapping ({ … }), which is not edited automatically' };
  return { map: found.node, path: found.path };
}

export function jobOf(w: WorkflowFile, f: Finding): Job | undefined {
  return f.job === undefined ? undefined : w.jobs.find((j) => j.id === f.job);
}

/** The step of a job that holds the finding's start position. */
export function stepAt(w: WorkflowFile, job: Job, f: Finding): Step | undefined {
  if (!f.region) return undefined;
  const off = offsetOf(w.text, f.region.line, f.region.column);
  return job.steps.find((s) => s.loc.offset <= off && off < s.loc.endOffset);
}

/** Indentation (spaces) of a block mapping's keys. */
export function keyIndent(text: string, map: YAMLMap): number {
  const first = map.items[0]?.key as YamlNode | undefined;
  const start = first?.range?.[0] ?? map.range?.[0] ?? 0;
  return columnOf(text, start);
}

/** Offset where the last entry of a block mapping ends. */
function mapEnd(map: YAMLMap): number {
  const last = map.items[map.items.length - 1];
  return last ? pairEnd(last) : (map.range?.[1] ?? 0);
}

/**
 * Appends `lines` (already `key: value` text, comments allowed) to the block mapping under `key` of
 * `parent`, creating the key when it is missing. Returns why not when the existing value is not a block mapping.
 */
export function appendToChildMap(text: string, parent: YAMLMap, key: string, lines: string[]): Splice | { error: string } {
  const pair = pairOf(parent, key);
  const indent = keyIndent(text, parent);
  if (!pair) {
    const pad = ' '.repeat(indent);
    return insertLines(text, mapEnd(parent), [`${pad}${key}:`, ...lines.map((l) => `${pad}  ${l}`)]);
  }
  const value = pair.value as YamlNode | null;
  if (!value || !isMap(value) || value.items.length === 0) return { error: `its \`${key}:\` is empty or not a mapping` };
  if (value.flow) return { error: `its \`${key}:\` is a flow mapping ({ … })` };
  const pad = ' '.repeat(keyIndent(text, value));
  return insertLines(text, mapEnd(value), lines.map((l) => `${pad}${l}`));
}

/** The `[start, end)` of whole lines holding a block-mapping entry (key, value and any continuation lines). */
export function entryLines(text: string, map: YAMLMap, pair: Pair): { start: number; end: number } | { error: string } {
  const key = pair.key as YamlNode | null;
  const keyStart = key?.range?.[0];
  if (map.flow || keyStart === undefined || !startsLine(text, keyStart)) return { error: 'the entry shares its line with other keys' };
  const end = pairEnd(pair);
  const stop = end > 0 && text[end - 1] === '\n' ? end : Math.min(text.length, lineEnd(text, end) + eolOf(text).length);
  return { start: lineStart(text, keyStart), end: stop };
}

/** Lines to insert right after a key of a block mapping (e.g. after `runs-on:`), at the mapping's indentation. */
export function insertAfterKey(text: string, map: YAMLMap, key: string, lines: string[]): Splice {
  const pair = pairOf(map, key) ?? map.items[map.items.length - 1];
  const pad = ' '.repeat(keyIndent(text, map));
  return insertLines(text, pair ? pairEnd(pair) : mapEnd(map), lines.map((l) => `${pad}${l}`));
}

/** A short label for the step in comments: its name, or what it uses, or its first command. */
export function stepComment(step: Step): string {
  const s = step.name?.value ?? step.uses?.value ?? step.run?.value.trim().split('\n')[0] ?? `step ${step.index + 1}`;
  const one = s.replace(/\s+/g, ' ').replace(/#/g, '');
  return one.length > 50 ? `${one.slice(0, 47)}...` : one;
}

/** True for a workflow that only runs when another workflow calls it. */
export function isReusableOnly(w: WorkflowFile): boolean {
  return w.triggers.length > 0 && w.triggers.every((t) => t.event === 'workflow_call');
}
