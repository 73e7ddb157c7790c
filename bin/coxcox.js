#!/usr/bin/env node
// The `coxcox` command. Coxcox is TypeScript run natively by Node.js (type stripping, Node >= 22.18);
// on an older node this re-runs itself with the Node 24 that `bash bin/run` installs into .tools/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const bootstrapped = fileURLToPath(new URL('../.tools/node24/node_modules/.bin/node', import.meta.url));
  if (!existsSync(bootstrapped)) {
    process.stderr.write(
      `coxcox needs Node.js >= 22.18 (this is ${process.version}). Run \`bash bin/run start\` once to install Node 24 into .tools/, or install Node 24 LTS.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(bootstrapped, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
