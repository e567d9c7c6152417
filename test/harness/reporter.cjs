'use strict';
// Spec reporter that also writes { passed, failed, pending } as JSON to $MOCHA_RESULTS_FILE,
// so .ci/run can print a summary line. CommonJS because mocha require()s reporters.
const fs = require('node:fs');
const Mocha = require('mocha');

class ResultsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env.MOCHA_RESULTS_FILE;
    if (!file) return;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: passes, failed: failures, pending }) + '\n');
    });
  }
}

module.exports = ResultsReporter;
