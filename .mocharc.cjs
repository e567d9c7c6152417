// tsx compiles the .ts specs and fixtures; mocha re-spawns node with this option.
// Global fixtures: DynamoDB Local once per run (or DYNAMODB_ENDPOINT).
// Files named on the command line run alone (`npx mocha test/unit/x.test.ts`); else the whole suite.
const named = process.argv.slice(2).some((a) => !a.startsWith('-') && /\.test\.ts$/.test(a));
module.exports = {
  'node-option': ['import=tsx'],
  ...(named ? {} : { spec: ['test/**/*.test.ts'] }),
  require: ['test/harness/global.ts'],
  reporter: 'test/harness/reporter.cjs',
  timeout: 30000,
};
