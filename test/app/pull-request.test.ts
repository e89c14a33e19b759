import nock from 'nock';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProbotOctokit } from 'probot';
import { addedLines, collectTouchedLines, isTouched } from '../../src/collect/pull-request.js';
import { addedFile, API, OWNER, REPO } from './helpers.js';
import { contractOctokit } from '../helpers/github-contract.js';

describe('addedLines', () => {
  test('head-side numbers of added lines across hunks; removed and context lines handled', () => {
    const patch = ['@@ -1,3 +1,4 @@', ' a', '-b', '+B', '+C', ' d', '@@ -20,2 +21,3 @@ jobs:', ' x', '+y', '\\ No newline at end of file', ' z'].join('\n');
    expect([...addedLines(patch)]).toEqual([2, 3, 22]);
  });

  test('a new file: every line added', () => {
    expect([...addedLines('@@ -0,0 +1,3 @@\n+a\n+b\n+c')]).toEqual([1, 2, 3]);
  });

  test('a pure deletion adds nothing', () => {
    expect(addedLines('@@ -1,2 +0,0 @@\n-a\n-b').size).toBe(0);
  });
});

describe('collectTouchedLines', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test('paginates, keeps renamed files under their new name, treats patch-less files as wholly touched, skips removed', async () => {
    const { octokit, violations } = contractOctokit();
    const page1 = Array.from({ length: 100 }, (_, i) => addedFile(`src/f${i}.py`, [1]));
    const page2 = [
      { ...addedFile('.github/workflows/new-name.yml', [4]), status: 'renamed', previous_filename: '.github/workflows/old-name.yml' },
      { ...addedFile('model.bin', [1]), patch: undefined },
      { ...addedFile('gone.yml', [1]), status: 'removed' },
    ];
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/7/files`)
      .query({ per_page: '100', page: '1' })
      .reply(200, page1)
      .get(`/repos/${OWNER}/${REPO}/pulls/7/files`)
      .query({ per_page: '100', page: '2' })
      .reply(200, page2);
    const touched = await collectTouchedLines(octokit as unknown as Pick<InstanceType<typeof ProbotOctokit>, 'request'>, { owner: OWNER, repo: REPO, pullNumber: 7 });
    expect(violations).toEqual([]);
    expect(touched.files.size).toBe(102);
    expect(touched.truncated).toBe(false);
    expect(touched.files.get('model.bin')).toBe('all');
    expect(touched.files.has('gone.yml')).toBe(false);
    expect(touched.files.has('.github/workflows/old-name.yml')).toBe(false);
    const region = (line: number, endLine = line) => ({ line, column: 1, endLine, endColumn: 2 });
    expect(isTouched(touched, { path: '.github/workflows/new-name.yml', region: region(4) })).toBe(true);
    expect(isTouched(touched, { path: '.github/workflows/new-name.yml', region: region(3) })).toBe(false);
    expect(isTouched(touched, { path: '.github/workflows/new-name.yml', region: region(2, 5) })).toBe(true);
    expect(isTouched(touched, { path: 'model.bin', region: region(999) })).toBe(true);
    expect(isTouched(touched, { path: 'model.bin' })).toBe(false);
    expect(isTouched(touched, { path: 'untouched.yml', region: region(1) })).toBe(false);
    expect(nock.pendingMocks()).toEqual([]);
  });

  test('stops at GitHub’s 3,000-file cap and says the list is truncated', async () => {
    const { octokit } = contractOctokit();
    const full = Array.from({ length: 100 }, (_, i) => addedFile(`f${i}`, [1]));
    nock(API).get(`/repos/${OWNER}/${REPO}/pulls/7/files`).query(true).times(30).reply(200, full);
    const touched = await collectTouchedLines(octokit as unknown as Pick<InstanceType<typeof ProbotOctokit>, 'request'>, { owner: OWNER, repo: REPO, pullNumber: 7 });
    expect(touched.truncated).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
