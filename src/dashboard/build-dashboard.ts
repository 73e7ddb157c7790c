import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's build. It runs when the build is missing or older than its sources: `npm start` (through its
 * prestart script), `bin/run start` and the browser tests call it, so the quick start serves a current app
 * without a separate build step. "Older" is decided by a hash of the sources, not by file times, which
 * git checkouts and copies do not keep.
 */
const appDir = fileURLToPath(new URL('./app/', import.meta.url));
const distDir = fileURLToPath(new URL('./dist/', import.meta.url));
const rootDir = fileURLToPath(new URL('../../', import.meta.url));
const stampFile = join(distDir, '.source-hash');

export function dashboardSourceHash(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(appDir);
  files.push(join(rootDir, 'package-lock.json'));
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(relative(rootDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function isDashboardStale(): boolean {
  if (!existsSync(join(distDir, 'index.html')) || !existsSync(stampFile)) return true;
  return readFileSync(stampFile, 'utf8').trim() !== dashboardSourceHash();
}

/** Builds the dashboard when it is missing or stale (or always, with `isForced`); true when it built. */
export async function buildDashboard(
  options: { isForced?: boolean; log?: (line: string) => void } = {},
): Promise<boolean> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!options.isForced && !isDashboardStale()) return false;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    // A production install without dev dependencies serves whatever build it has (or a page saying how to build).
    log('coxcox: the dashboard needs a build, but Vite is not installed (npm ci installs it); skipping');
    return false;
  }
  const hash = dashboardSourceHash();
  log('coxcox: building the dashboard (vite build)…');
  const started = performance.now();
  // A production build whatever the caller's NODE_ENV (vitest sets "test", which would make Vite bundle
  // React's development build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: join(appDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(stampFile, `${hash}\n`);
  log(`coxcox: dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

// `node src/dashboard/build-dashboard.ts [--force]`: npm's prestart and build scripts.
if (import.meta.url === `file://${process.argv[1]}`) {
  await buildDashboard({ isForced: process.argv.includes('--force') });
}
