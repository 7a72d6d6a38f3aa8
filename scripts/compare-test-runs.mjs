// Compares two Jest JSON reports (the suite on today's clock and on a shifted one): every test must
// have run in both with the same outcome. Prints what differs; exits 1 when anything does.
// Usage: node scripts/compare-test-runs.mjs <today.json> <shifted.json> <label of the shift>
import fs from 'node:fs';
import path from 'node:path';

const [todayFile, shiftedFile, label = 'shifted'] = process.argv.slice(2);
const root = process.cwd();

function outcomes(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byTest = new Map();
  for (const suite of report.testResults) {
    const name = path.relative(root, suite.name);
    if (suite.status === 'failed' && !suite.assertionResults.length) {
      byTest.set(
        `${name} (suite)`,
        `failed to run: ${(suite.message ?? '').split('\n')[0]}`,
      );
    }
    for (const t of suite.assertionResults)
      byTest.set(`${name} › ${t.fullName}`, t.status);
  }
  return byTest;
}

const today = outcomes(todayFile);
const shifted = outcomes(shiftedFile);
const differences = [];
for (const name of new Set([...today.keys(), ...shifted.keys()])) {
  const a = today.get(name) ?? 'did not run';
  const b = shifted.get(name) ?? 'did not run';
  if (a !== b || a !== 'passed')
    differences.push(`  ${name}: today ${a}, ${label} ${b}`);
}
const passed = [...shifted.values()].filter(s => s === 'passed').length;
if (differences.length) {
  console.error(
    `${differences.length} test(s) differ between today's clock and the ${label} one, or failed:`,
  );
  console.error(differences.join('\n'));
  process.exit(1);
}
console.log(
  `${passed} tests passed on today's clock and on the ${label} one, with the same outcomes`,
);
