import { describe, expect, it } from 'vitest';
import { BrowsePathError, browseSegments } from './browse-path.ts';

describe('browseSegments', () => {
  it('decodes each folder name once and drops empty segments', () => {
    expect(browseSegments('')).toEqual([]);
    expect(browseSegments('mlefevre/')).toEqual(['mlefevre']);
    expect(browseSegments('a%20b//c')).toEqual(['a b', 'c']);
  });

  it.each([
    ['..', 'plain parent'],
    ['mlefevre/../..', 'parent after a folder'],
    ['%2e%2e', 'encoded dots'],
    ['%2E%2E/etc', 'upper-case encoded dots'],
    ['..%2f..%2fetc', 'encoded slash'],
    ['..%5c..%5cwindows', 'encoded backslash'],
    ['a%00b', 'NUL'],
    ['.hidden.pdf.tmp', 'hidden temporary file'],
  ])('refuses %s (%s)', (tail) => {
    expect(() => browseSegments(tail)).toThrow(BrowsePathError);
  });

  it('names what is wrong with a malformed escape', () => {
    expect(() => browseSegments('%E0%A4%A')).toThrow('"%E0%A4%A" is not a valid percent-encoded name');
  });

  it('leaves a double-encoded name as a literal name, which cannot climb', () => {
    expect(browseSegments('%252e%252e')).toEqual(['%2e%2e']);
  });
});
