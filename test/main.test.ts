import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
}

describe('npm start with a wrong configuration', () => {
  it('stops before doing anything, naming each wrong variable and what is wrong', () => {
    const result = start({
      DEFAULT_LOCALE: 'fr',
      PERFECTGYM_API_KEY: 'very-secret-key',
      STORAGE_URL: 'mongodb://db',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('DEFAULT_LOCALE must be one of en, de');
    expect(result.stderr).toContain('PERFECTGYM_BASE_URL must be set together');
    expect(result.stderr).toContain('STORAGE_URL must be sqlite:<path>, memory: or redis://host:port');
    expect(result.stderr + result.stdout).not.toContain('very-secret-key');
  });
});
