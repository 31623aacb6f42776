// `npm run docs`: rewrites docs/provisioning.md and docs/sso.md from the code (the same text
// WiggleDesk serves at /docs/provisioning and /docs/sso), for the example host and the default
// configuration. test/http/docs.test.ts fails while they are stale.
import { writeFileSync } from 'node:fs';
import { committedDocs } from '../src/http/docs/committed.js';

for (const [file, text] of Object.entries(committedDocs())) {
  writeFileSync(new URL(`../${file}`, import.meta.url), text);
  console.log(`wrote ${file}`);
}
