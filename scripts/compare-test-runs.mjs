// Compares two Jest JSON reports (the suite on today's clock and on a shifted one): every test must
// have run in both with the same outcome. Prints what differs; exits 1 when anything does.
//
// Usage:
//   node scripts/compare-test-runs.mjs <today.json> <shifted.json> <label> [<retry.json>]
//   node scripts/compare-test-runs.mjs --differing-files <today.json> <shifted.json>
//
// A test that depends on the date fails on the shifted clock every time; one that lost a race with
// the machine's load (a render that took longer than a wait) fails once. So the script's caller
// re-runs the files that differ once more on the shifted clock (`--differing-files` lists them) and
// passes that report as <retry.json>: its outcomes replace the first shifted run's for those files,
// and every test that passed only on the retry is printed as flaky, never hidden.
import fs from 'node:fs';
import path from 'node:path';

const root = process.cwd();

function outcomes(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byTest = new Map();
  for (const suite of report.testResults) {
    const name = path.relative(root, suite.name);
    if (suite.status === 'failed' && !suite.assertionResults.length) {
      byTest.set(`${name} (suite)`, {
        file: name,
        status: `failed to run: ${(suite.message ?? '').split('\n')[0]}`,
      });
    }
    for (const t of suite.assertionResults)
      byTest.set(`${name} › ${t.fullName}`, { file: name, status: t.status });
  }
  return byTest;
}

function differences(today, shifted) {
  const found = [];
  for (const name of new Set([...today.keys(), ...shifted.keys()])) {
    const a = today.get(name)?.status ?? 'did not run';
    const b = shifted.get(name)?.status ?? 'did not run';
    if (a !== b || a !== 'passed')
      found.push({
        name,
        file: (today.get(name) ?? shifted.get(name)).file,
        a,
        b,
      });
  }
  return found;
}

if (process.argv[2] === '--differing-files') {
  const [todayFile, shiftedFile] = process.argv.slice(3);
  const files = new Set(
    differences(outcomes(todayFile), outcomes(shiftedFile)).map(d => d.file),
  );
  console.log([...files].join('\n'));
  process.exit(0);
}

const [todayFile, shiftedFile, label = 'shifted', retryFile] =
  process.argv.slice(2);
const today = outcomes(todayFile);
const shifted = outcomes(shiftedFile);
const flaky = [];
if (retryFile && fs.existsSync(retryFile)) {
  const retry = outcomes(retryFile);
  const retried = new Set([...retry.values()].map(r => r.file));
  for (const [name, first] of [...shifted]) {
    if (!retried.has(first.file)) continue;
    const again = retry.get(name);
    if (!again) shifted.delete(name);
    else {
      if (first.status !== 'passed' && again.status === 'passed')
        flaky.push(name);
      shifted.set(name, again);
    }
  }
  for (const [name, again] of retry)
    if (!shifted.has(name)) shifted.set(name, again);
}
const found = differences(today, shifted);
const passed = [...shifted.values()].filter(s => s.status === 'passed').length;
if (flaky.length) {
  console.error(
    `${flaky.length} test(s) failed on the first ${label} run and passed when their files ran again (flaky, not date-dependent):`,
  );
  console.error(flaky.map(name => `  ${name}`).join('\n'));
}
if (found.length) {
  console.error(
    `${found.length} test(s) differ between today's clock and the ${label} one, or failed:`,
  );
  console.error(
    found.map(d => `  ${d.name}: today ${d.a}, ${label} ${d.b}`).join('\n'),
  );
  process.exit(1);
}
console.log(
  `${passed} tests passed on today's clock and on the ${label} one, with the same outcomes`,
);
