#!/usr/bin/env node
// Launcher for `npx wiggledesk` (after `npm run build`). WiggleDesk runs on Node.js >= 24, the project's own
// Node from node_modules (docs/deployment.md, "Node.js runtime"): `npx` puts it first on PATH, but a shell,
// a global link or `node bin/wiggledesk.js` may start this file with an older system Node, which cannot
// load better-sqlite3 as built for 24. Then this file runs itself again with the project's Node.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIN_MAJOR = 24;
const self = realpathSync(fileURLToPath(import.meta.url));
const root = join(dirname(self), '..');

if (Number(process.versions.node.split('.')[0]) >= MIN_MAJOR) {
  import('../dist/main.js').catch((error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && !existsSync(join(root, 'dist', 'main.js'))) {
      process.stderr.write('wiggledesk: not built yet; run `npm run build` first\n');
      process.exit(1);
    }
    throw error;
  });
} else {
  const own = join(root, 'node_modules', '.bin', 'node');
  if (!existsSync(own)) {
    process.stderr.write(
      `wiggledesk: needs Node.js >= ${MIN_MAJOR}; this is ${process.version} (${process.execPath}), and the project's own Node ` +
        `(${own}) is not installed: run \`npm install\` in ${root}.\n`,
    );
    process.exit(1);
  }
  const child = spawn(own, ['--max-semi-space-size=16', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Signals meant for the CLI (systemctl stop, Ctrl-C, kill <pid>) reach the process that does the work.
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`wiggledesk: cannot start ${own}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, forward);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
