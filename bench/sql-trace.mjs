// Time every SQLite statement the server runs, per SQL text (docs/performance.md, session 5).
//
//   npm run bench -- --no-build --phases post --no-harness --no-group-phases --repeat 1 \
//     --node-flags="--import=$PWD/bench/sql-trace.mjs"          # SQL_TRACE_OUT=/tmp/post.json to choose the file
//   node bench/sql-trace.mjs report /tmp/post.json 9044         # 9044 = the phase's request count
//
// As a preload it wraps better-sqlite3's prepare() so that run/all/get/iterate of each statement are
// timed; the totals are written to SQL_TRACE_OUT (default /tmp/sql-trace-<pid>.json) every 2 s and at exit.
// A measuring device: it adds ~0.2 µs per statement, so compare statements, not the run's CPU figure.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function install() {
  // The server's own better-sqlite3 (its working directory is the app folder, also with --app-dir).
  const Database = createRequire(join(process.cwd(), 'package.json'))('better-sqlite3');
  const stats = new Map();
  const timed = (sql, fn) =>
    function (...args) {
      const start = process.hrtime.bigint();
      try {
        return fn.apply(this, args);
      } finally {
        const key = sql.replace(/\s+/g, ' ').slice(0, 900);
        const s = stats.get(key) ?? { n: 0, ns: 0 };
        s.n++;
        s.ns += Number(process.hrtime.bigint() - start);
        stats.set(key, s);
      }
    };
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (sql) {
    const statement = prepare.call(this, sql);
    for (const m of ['run', 'get', 'all', 'iterate']) statement[m] = timed(sql, statement[m]);
    return statement;
  };
  const out = process.env.SQL_TRACE_OUT || `/tmp/sql-trace-${process.pid}.json`;
  const dump = () => writeFileSync(out, JSON.stringify([...stats].sort((a, b) => b[1].ns - a[1].ns)));
  process.on('exit', dump);
  setInterval(dump, 2000).unref();
}

function report(file, requests) {
  const rows = JSON.parse(readFileSync(file, 'utf8'));
  const total = rows.reduce((t, [, s]) => t + s.ns, 0);
  console.log(`${file}: ${(total / 1000 / requests).toFixed(1)} µs of SQL per request`);
  for (const [sql, s] of rows.slice(0, 25)) {
    console.log(`${((s.ns / 1000) / requests).toFixed(1).padStart(8)} µs/req ${(s.n / requests).toFixed(2).padStart(6)}× ${sql.slice(0, 160)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [cmd, file, requests] = process.argv.slice(2);
  if (cmd !== 'report' || !file || !(Number(requests) > 0)) {
    console.error('usage: node bench/sql-trace.mjs report FILE REQUESTS');
    process.exit(2);
  }
  report(file, Number(requests));
} else {
  install();
}
