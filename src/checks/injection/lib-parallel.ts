/**
 * `parallel:` step groups (`steps: [{ parallel: [ {run…}, … ] }]`) are not in the shared workflow
 * model; their `run:` scripts are read from the parsed document so injections inside them are seen.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Job, Step, WorkflowFile } from '../../workflows/model.js';
import { mapperFor } from '../../workflows/expressions.js';

export function parallelSteps(w: WorkflowFile, job: Job): Step[] {
  if (w.kind !== 'workflow' || !w.text.includes('parallel')) return [];
  const steps = w.doc.getIn(['jobs', job.id, 'steps'], true);
  if (!isSeq(steps)) return [];
  const mapper = mapperFor(w);
  const out: Step[] = [];
  for (const item of steps.items) {
    if (!isMap(item)) continue;
    const group = item.get('parallel', true);
    if (!isSeq(group)) continue;
    for (const sub of group.items) {
      if (!isMap(sub)) continue;
      const run = sub.get('run', true);
      if (!isScalar(run) || !run.range || typeof run.value !== 'string') continue;
      const keyNode = sub.items.find((p) => isScalar(p.key) && p.key.value === 'run')?.key;
      const keyRange = isScalar(keyNode) ? keyNode.range : undefined;
      const subRange = sub.range ?? run.range;
      const name = sub.get('name', true);
      out.push({
        index: job.steps.length + out.length,
        loc: mapper.loc(subRange[0], subRange[1]),
        name: isScalar(name) && name.range ? { value: String(name.value), loc: mapper.loc(name.range[0], name.range[1]) } : undefined,
        run: {
          value: run.value,
          loc: mapper.loc(run.range[0], run.range[1]),
          keyLoc: keyRange ? mapper.loc(keyRange[0], keyRange[1]) : undefined,
          block: run.type === 'BLOCK_LITERAL' || run.type === 'BLOCK_FOLDED',
        },
        with: [],
        env: [],
      });
    }
  }
  return out;
}
