// Self time of a V8 CPU profile, by module (a package, a dist/ file or a node: module) and by function.
const moduleOf = (url, fn) => {
  if (!url) return fn || '(native)';
  const pkg = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.includes('/dist/')) return url.replace(/.*\/dist\//, 'dist/');
  return url.startsWith('node:') ? url : url.replace(/.*\//, '');
};

export function summarizeProfile(profile, top = 30) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byModule = new Map();
  const byFunction = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const mod = moduleOf(url, functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${mod}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    total += dt;
  });
  const table = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  return `-- self time by module --\n${table(byModule)}\n-- self time by function --\n${table(byFunction)}`;
}
