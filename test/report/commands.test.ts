import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/report/commands.js';

describe('parseCommand', () => {
  it.each([
    ['alone', '/pipeline-guard sweep'],
    ['any letter case and spaces around', '  /Pipeline-Guard   SWEEP  '],
    ['a tab between the words', '/pipeline-guard\tsweep'],
    ['among other lines', 'Thanks!\n\n/pipeline-guard sweep\n\nLet us see the new score.'],
    ['Windows line ends', 'hi\r\n/pipeline-guard sweep\r\n'],
    ['after a closed code block', '```\ncode\n```\n/pipeline-guard sweep'],
    ['after a quote', '> quoted\n\n/pipeline-guard sweep'],
  ])('finds the command %s', (_why, body) => {
    expect(parseCommand(body)).toEqual({ command: 'sweep' });
  });

  it.each([
    ['in a sentence', 'please run /pipeline-guard sweep now'],
    ['with more words on the line', '/pipeline-guard sweep everything'],
    ['another command', '/pipeline-guard sweeps'],
    ['without the slash', 'pipeline-guard sweep'],
    ['in a quote', '> /pipeline-guard sweep'],
    ['in a nested quote', '> > /pipeline-guard sweep'],
    ['in a fenced code block', 'Run this:\n```\n/pipeline-guard sweep\n```'],
    ['in a tilde code block', '~~~text\n/pipeline-guard sweep\n~~~'],
    ['in a code block with a longer fence', '````\n```\n/pipeline-guard sweep\n````'],
    ['in an unclosed code block', '```\n/pipeline-guard sweep'],
    ['in an indented code block', 'Example:\n\n    /pipeline-guard sweep'],
    ['in an HTML comment', '<!--\n/pipeline-guard sweep\n-->'],
    ['in inline code', '`/pipeline-guard sweep`'],
    ['empty', ''],
  ])('ignores the command %s', (_why, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });
});
