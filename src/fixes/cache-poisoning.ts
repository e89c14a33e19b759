/**
 * cache-poisoning fix (W15): switch the cache off in the release job's step, per the action's own
 * input: `cache: false` / `enable-cache: false` for boolean toggles, `lookup-only: true` for
 * actions/cache, drop string-valued `cache:` (setup-python `cache: pip`) and `cache-from: type=gha`.
 */
import { isMap } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { Finding } from '../model/types.js';
import { actionName } from '../workflows/uses.js';
import { appendToChildMap, blockMapAt, entryLines, jobOf } from './common.js';
import { pairOf } from './doc.js';
import { lineStart, offsetOf, startsLine } from './text.js';
import type { FixEdit, Fixer, FixerOutput, Splice } from './types.js';

const CHECK_ID = 'cache-poisoning';

type Recipe = { input: string; off: 'false' | 'true' | 'remove' };

/** How each action's cache is switched off (inputs per the actions' READMEs; catalogue W15). */
const RECIPES: Record<string, Recipe[]> = {
  'actions/cache': [{ input: 'lookup-only', off: 'true' }],
  'actions/cache/restore': [{ input: 'lookup-only', off: 'true' }],
  'actions/setup-python': [{ input: 'cache', off: 'remove' }],
  'actions/setup-java': [{ input: 'cache', off: 'remove' }],
  'actions/setup-dotnet': [{ input: 'cache', off: 'false' }],
  'actions/setup-go': [{ input: 'cache', off: 'false' }],
  'astral-sh/setup-uv': [{ input: 'enable-cache', off: 'false' }],
  'swatinem/rust-cache': [{ input: 'lookup-only', off: 'true' }],
  'ramsey/composer-install': [{ input: 'ignore-cache', off: 'true' }],
  'pyo3/maturin-action': [{ input: 'sccache', off: 'false' }],
  'docker/setup-buildx-action': [{ input: 'cache-binary', off: 'false' }],
  'docker/build-push-action': [{ input: 'cache-from', off: 'remove' }],
  'jdx/mise-action': [{ input: 'cache', off: 'false' }],
  'actions-rust-lang/setup-rust-toolchain': [{ input: 'cache', off: 'false' }],
  'ruby/setup-ruby': [{ input: 'bundler-cache', off: 'false' }],
  'gradle/actions/setup-gradle': [{ input: 'cache-disabled', off: 'true' }],
  'gradle/gradle-build-action': [{ input: 'cache-disabled', off: 'true' }],
  'prefix-dev/setup-pixi': [{ input: 'cache', off: 'false' }],
  'mamba-org/setup-micromamba': [{ input: 'cache-environment', off: 'false' }, { input: 'cache-downloads', off: 'false' }],
  'denoland/setup-deno': [{ input: 'cache', off: 'false' }],
  'graalvm/setup-graalvm': [{ input: 'cache', off: 'remove' }],
  'nix-community/cache-nix-action': [{ input: 'lookup-only', off: 'true' }],
  'aquasecurity/trivy-action': [{ input: 'cache', off: 'false' }],
};

/** setup-node: a `cache:` input names a package manager (drop it); v5+ also caches by default. */
function nodeRecipes(f: Finding): Recipe[] {
  return f.data?.input === 'cache' ? [{ input: 'cache', off: 'remove' }] : [{ input: 'package-manager-cache', off: 'false' }];
}

export const cachePoisoningFixer: Fixer = {
  checkId: CHECK_ID,
  fix({ file: w, findings }): FixerOutput {
    const notes: string[] = [];
    const edits: FixEdit[] = [];
    const text = w.text;
    for (const f of findings) {
      const where = `${w.path}:${f.region?.line ?? 1}`;
      const job = jobOf(w, f);
      const off = f.region ? offsetOf(text, f.region.line, f.region.column) : -1;
      const step = job?.steps.find((s) => s.uses && s.uses.loc.offset === off);
      if (!job || !step?.uses) {
        notes.push(`${where}: cache-poisoning: the step was not found; left as is.`);
        continue;
      }
      const name = actionName(step.uses.ref)?.toLowerCase() ?? String(f.data?.action ?? '');
      const recipes = name === 'actions/setup-node' ? nodeRecipes(f) : RECIPES[name];
      if (!recipes) {
        notes.push(`${where}: cache-poisoning: ${name} has no input that turns its cache off; remove the step from the release job by hand.`);
        continue;
      }
      const located = blockMapAt(w, step.loc.offset);
      if ('error' in located) {
        notes.push(`${where}: cache-poisoning: the step cannot be edited: ${located.error}.`);
        continue;
      }
      const withPair = pairOf(located.map, 'with');
      const withMap = withPair && isMap(withPair.value) ? withPair.value : undefined;
      const splices: Splice[] = [];
      const toAdd: string[] = [];
      let failed: string | undefined;
      for (const r of recipes) {
        const pair = withMap ? pairOf(withMap, r.input) : undefined;
        const value = pair?.value as YamlNode | null | undefined;
        if (!pair || !withMap) {
          if (r.off !== 'remove' && (r.input === recipes[0].input || name !== 'mamba-org/setup-micromamba')) toAdd.push(`${r.input}: ${r.off}`);
          continue;
        }
        if (r.off !== 'remove') {
          if (!value?.range) toAdd.push(`${r.input}: ${r.off}`);
          else splices.push({ start: value.range[0], end: value.range[1], text: r.off });
          continue;
        }
        // Remove the whole `input: value` line(s), from `with:` when it is the only entry; only when the entry owns its lines.
        const lines = entryLines(text, withMap, pair);
        if ('error' in lines) {
          failed = `\`${r.input}:\` shares its line with other keys`;
          break;
        }
        const onlyEntry = withMap.items.length === 1;
        const withKeyStart = (withPair?.key as YamlNode | undefined)?.range?.[0] ?? lines.start;
        if (onlyEntry && !startsLine(text, withKeyStart)) {
          failed = '`with:` shares its line with other keys';
          break;
        }
        splices.push({ start: onlyEntry ? lineStart(text, withKeyStart) : lines.start, end: lines.end, text: '' });
      }
      if (failed) {
        notes.push(`${where}: cache-poisoning: ${failed}; left as is.`);
        continue;
      }
      if (toAdd.length > 0) {
        const s = appendToChildMap(text, located.map, 'with', toAdd);
        if ('error' in s) {
          notes.push(`${where}: cache-poisoning: cannot add to the step's with: ${s.error}; left as is.`);
          continue;
        }
        splices.push(s);
      }
      edits.push({
        checkId: CHECK_ID,
        splices,
        targets: [[...located.path, 'with']],
        findings: [f],
        notes: [`${where}: turned the ${name} cache off in release job "${job.id}".`],
      });
    }
    return { edits, notes };
  },
};
