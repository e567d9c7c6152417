/** Entry of the bundle fixture: runs the handler against DYNAMODB_ENDPOINT and prints its JSON report. */
import { handler } from './handler.js';

const endpoint = process.env.DYNAMODB_ENDPOINT;
const prefix = process.env.BUNDLE_TABLE_PREFIX;
if (!endpoint || !prefix) throw new Error('DYNAMODB_ENDPOINT and BUNDLE_TABLE_PREFIX must be set');
handler(endpoint, prefix).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
