#!/usr/bin/env node
// Thin launcher so `npx wiggledesk` works after `npm run build`.
import('../dist/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('wiggledesk: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw error;
});
