/**
 * Slash commands in issue and pull-request comments (pure: the app decides who may run them).
 *
 * `/pipeline-guard sweep` counts only on a line of its own (surrounding spaces allowed, any letter
 * case, the two words separated by spaces or tabs). Not a command: text inside a fenced code block
 * (``` or ~~~), an indented code block (4 spaces or a tab after a blank line), a quote (`>`), an HTML
 * comment, or the words in the middle of a sentence. So quoting someone else's command, or a bot
 * echoing it in a code block, never runs it.
 */
export type Command = { command: 'sweep' };

const COMMAND = /^\/pipeline-guard[ \t]+sweep$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function parseCommand(commentBody: string): Command | undefined {
  if (typeof commentBody !== 'string') return undefined;
  let fence: string | undefined;
  let inComment = false;
  let prevBlank = true;
  let inIndented = false;
  for (const raw of commentBody.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\u00a0/g, ' ');
    const blank = line.trim() === '';
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after it.
      const m = FENCE.exec(line);
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.slice(m[0].length).trim() === '') fence = undefined;
      prevBlank = false;
      continue;
    }
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      prevBlank = false;
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = open[1];
      prevBlank = false;
      continue;
    }
    if (/^ {0,3}<!--/.test(line) && !line.includes('-->', line.indexOf('<!--') + 4)) {
      inComment = true;
      prevBlank = false;
      continue;
    }
    // Indented code starts after a blank line and lasts until a non-indented line.
    const indented = /^( {4}|\t)/.test(line);
    if (indented && (prevBlank || inIndented) && !blank) inIndented = true;
    else if (!blank) inIndented = false;
    prevBlank = blank;
    if (inIndented || blank) continue;
    if (/^\s*>/.test(line)) continue;
    if (COMMAND.test(line.trim())) return { command: 'sweep' };
  }
  return undefined;
}
