// Imported first by main.ts, so it runs before any module that loads better-sqlite3: WiggleDesk needs the
// Node.js of package.json `engines` (>= 24; the project's own is node_modules/.bin/node, docs/deployment.md).
// On an older Node (a systemd unit or a shell still on /usr/bin/node 20) it stops here with a plain message
// instead of a native-addon load error further in.
export const MIN_NODE_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < MIN_NODE_MAJOR) {
  process.stderr.write(
    `wiggledesk: needs Node.js >= ${MIN_NODE_MAJOR}, but runs on ${process.version} (${process.execPath}). ` +
      "Start it with the project's own Node: node_modules/.bin/node dist/main.js …, or npm start / npx wiggledesk.\n",
  );
  process.exit(1);
}
