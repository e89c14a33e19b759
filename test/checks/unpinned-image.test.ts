import { unpinnedImage } from '../../src/checks/supply-chain/unpinned-image.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { describe, expect, it } from 'vitest';
import { expressionValues, imageCandidates, imageInfo, isFloating } from '../../src/checks/supply-chain/lib-images.js';

describeFixtures(unpinnedImage);

describe('image references', () => {
  it('reads digests and tags, ignoring registry ports', () => {
    expect(imageInfo('docker://alpine@sha256:abc').pinned).toBe(true);
    expect(imageInfo('localhost:5000/team/img').tag).toBeUndefined();
    expect(isFloating(imageInfo('localhost:5000/team/img'))).toBe(true);
    expect(imageInfo('ghcr.io/org/img:1.2').tag).toBe('1.2');
    expect(isFloating(imageInfo('redis:latest'))).toBe(true);
    expect(isFloating(imageInfo('redis:7'))).toBe(false);
  });
  it('expands literals and leaves other contexts unknown', () => {
    const none = (): never[] => [];
    expect(imageCandidates("${{ inputs.x == 'true' && 'redis:7' || '' }}", none)).toEqual({ images: ['redis:7'], unknown: false });
    expect(imageCandidates('${{ inputs.image || vars.IMAGE }}', () => [expressionValues("format('x')", none)![0]])).toEqual({ images: [], unknown: true });
    expect(imageCandidates('python:${{ matrix.py }}', () => ['3.11', '3.12']).images).toEqual(['python:3.11', 'python:3.12']);
    expect(expressionValues("'unterminated", none)).toBeUndefined();
  });
});
