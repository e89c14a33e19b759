/** Small helpers checks use to turn parser positions into finding regions. */
import type { Region } from '../model/types.js';
import type { Loc } from '../workflows/model.js';

export function region(loc: Loc): Region {
  return { line: loc.line, column: loc.column, endLine: loc.endLine, endColumn: loc.endColumn };
}

/** A one-line region (for file-level findings or positions that are not YAML nodes). */
export function pointRegion(line: number, column = 1, length = 0): Region {
  return { line, column, endLine: line, endColumn: column + length };
}

/** A short human label for a step: its name, id, `uses` or the first line of `run`. */
export function stepLabel(step: { index: number; name?: { value: string }; id?: { value: string }; uses?: { value: string }; run?: { value: string } }): string {
  const label = step.name?.value ?? step.id?.value ?? step.uses?.value ?? step.run?.value.split('\n')[0];
  const text = label && label.length > 60 ? `${label.slice(0, 57)}...` : label;
  return text ? `step ${step.index + 1} (${text})` : `step ${step.index + 1}`;
}
