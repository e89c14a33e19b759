import { describe, expect, test } from 'vitest';
import { byteLength, codeSpan, encodePath, escapeMarkdown, mdLink, truncateMarkdown } from '../../src/report/markdown.js';

describe('escapeMarkdown', () => {
  test('HTML tags and entities become inert text', () => {
    const out = escapeMarkdown('<img src=x onerror=alert(1)> &amp; <script>');
    expect(out).not.toMatch(/[<>]/);
    expect(out).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(out).toContain('&amp;amp;');
  });

  test('@mentions (users and teams) are broken with a zero-width joiner', () => {
    const out = escapeMarkdown('ping @octocat and @acme/security-team');
    expect(out).not.toMatch(/@[a-z]/i);
    expect(out).toContain('@\u200doctocat');
    expect(out).toContain('@\u200dacme/security-team');
  });

  test('pipes cannot split a table cell; newlines cannot end a row', () => {
    const out = escapeMarkdown('a | b\n| c |\r\nd');
    expect(out).not.toContain('\n');
    expect(out.replace(/\\\|/g, '')).not.toContain('|');
  });

  test('backticks, emphasis, links, images, headings, math and strikethrough are escaped', () => {
    expect(escapeMarkdown('`code` *bold* _it_ [x](https://evil.example) ![i](y) ~~s~~ $x$')).toBe(
      '\\`code\\` \\*bold\\* \\_it\\_ \\[x\\]\\(https://evil.example\\) \\!\\[i\\]\\(y\\) \\~\\~s\\~\\~ \\$x\\$',
    );
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('a-b.c')).toBe('a-b.c');
  });

  test('a backslash cannot undo an escape', () => {
    expect(escapeMarkdown('\\*x*')).toBe('\\\\\\*x\\*');
  });

  test('bidi overrides and control characters are removed', () => {
    expect(escapeMarkdown('a\u202eb\u0007c')).toBe('ab c');
  });

  test('very long text is cut with an ellipsis', () => {
    const out = escapeMarkdown('x'.repeat(10_000), 100);
    expect(out).toHaveLength(100);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe('codeSpan', () => {
  test('a fence longer than any backtick run inside', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('a``b`')).toBe('``` a``b` ```');
    expect(codeSpan('plain')).toBe('`plain`');
  });

  test('pipes are escaped in tables only; newlines flattened', () => {
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`');
    expect(codeSpan('a|b')).toBe('`a|b`');
    expect(codeSpan('a\nb')).toBe('`a b`');
  });

  test('empty and long values', () => {
    expect(codeSpan('')).toBe('`\u00a0`');
    expect(codeSpan('y'.repeat(500), { max: 10 })).toBe(`\`${'y'.repeat(9)}…\``);
  });
});

describe('links', () => {
  test('paths are percent-encoded, including characters Markdown treats specially', () => {
    expect(encodePath('a b/(x)*[y]!.yml')).toBe('a%20b/%28x%29%2A%5By%5D%21.yml');
  });

  test('only http(s) URLs without spaces or parentheses become links', () => {
    expect(mdLink('f.yml', 'https://github.com/o/r/blob/s/f.yml#L1')).toBe('[f.yml](https://github.com/o/r/blob/s/f.yml#L1)');
    expect(mdLink('x', 'javascript:alert(1)')).toBe('x');
    expect(mdLink('[a](b)', 'https://e/x y')).toBe('\\[a\\]\\(b\\)');
  });
});

describe('truncateMarkdown', () => {
  test('cuts at a line boundary under the byte limit and says so', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i} é`).join('\n');
    const out = truncateMarkdown(text, 2000);
    expect(byteLength(out)).toBeLessThanOrEqual(2000);
    expect(out).toContain('truncated');
    expect(out).toContain('line 0 é');
    expect(truncateMarkdown('short', 2000)).toBe('short');
  });
});
