#!/usr/bin/env node
// The composition root: the only module that reads process.env. It validates the
// configuration, then hands over to the CLI (which includes `serve`).
import './node-version.js'; // first: refuses a Node older than 24 before anything loads the SQLite addon
import { loadConfig, ConfigError } from './config/config.js';
import { runCli } from './cli/index.js';
import { serve } from './serve.js';

try {
  const code = await runCli(process.argv.slice(2), () => loadConfig(process.env), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }, serve);
  if (code !== undefined) process.exitCode = code;
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`wiggledesk: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
