/**
 * Vitest global setup: the playground's browser tests drive Debian's Chromium (never a downloaded
 * browser). Where it is missing and this process may install packages (root with apt-get, as on
 * the CI and development machines), it is installed here; elsewhere the browser tests fail with
 * instructions (test/playground/browser.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './playground/browser.ts';

export default function ensureChromium(): void {
  if (existsSync(chromiumPath)) return;
  const mayInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!mayInstall) return;
  process.stderr.write(`Chromium is missing at ${chromiumPath}: installing Debian's chromium package.\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
