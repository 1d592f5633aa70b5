/**
 * A user clones the project alone: nothing in it may read files from outside the repository
 * (such as the reference copies beside the developers' checkout).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);

describe('the project is self-contained', () => {
  it('no source, test or benchmark file reaches outside the repository', () => {
    const files = execFileSync(
      'git',
      ['ls-files', 'src', 'test', 'bench', 'package.json', 'vitest.config.ts'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
      .split('\n')
      .filter((file) => file !== '' && file !== 'test/self-contained.test.ts');
    expect(files.length).toBeGreaterThan(50);
    const outside = files.filter((file) =>
      /\.\.\/\.\.\/\.\.\/|\.\.\/shared\//.test(readFileSync(new URL(file, root), 'utf8')),
    );
    expect(outside).toEqual([]);
  });
});
