// Runs tsc in this process and reports its CPU time (user + system, seconds) on exit, as a
// last stderr line: tsc's own "Check time" is wall time, which a busy machine inflates.
const { join } = require('node:path');
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(`\nCPU seconds: ${((u.user + u.system) / 1e6).toFixed(2)}\n`);
});
const tsc = join(__dirname, '..', '..', 'node_modules', 'typescript', 'lib', 'tsc.js');
process.argv = [process.argv[0], tsc, ...process.argv.slice(2)];
require(tsc);
