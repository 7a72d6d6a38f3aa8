#!/usr/bin/env node
/**
 * Builds native/build/cutover_recon.so, the SQLite extension that hashes rows for reconciliations
 * with a SQLite side (native/cutover_recon.c), with the machine's C compiler (`CC`, default `cc`)
 * against the SQLite headers that better-sqlite3 ships. Run by `postinstall`.
 *
 * Without a compiler, or without better-sqlite3 (a portal on PostgreSQL only), it says why and
 * exits 0: reconciliations then hash SQLite rows with the JavaScript functions (slower, same
 * results). SWITCHYARD_NATIVE_SQLITE=0 skips the build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'cutover_recon.c');
const output = path.join(here, 'build', 'cutover_recon.so');
const say = message => console.log(`[switchyard] SQLite hashing extension: ${message}`);

function main() {
  if (process.env.SWITCHYARD_NATIVE_SQLITE === '0') return say('skipped (SWITCHYARD_NATIVE_SQLITE=0)');
  if (process.platform !== 'linux') return say(`not built on ${process.platform} (Linux only); JavaScript hashing is used`);
  let include;
  try {
    const require = createRequire(path.join(here, '..', 'package.json'));
    include = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
  } catch {
    return say('better-sqlite3 is not installed, so no SQLite connection needs it; not built');
  }
  if (!fs.existsSync(path.join(include, 'sqlite3ext.h'))) return say(`no sqlite3ext.h in ${include}; not built`);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const partial = `${output}.${process.pid}.tmp`;
  const compiler = process.env.CC || 'cc';
  // -ffp-contract=off: the timestamp arithmetic must round as JavaScript's does (no fused multiply-add).
  const args = ['-O2', '-fPIC', '-shared', '-ffp-contract=off', '-Wall', '-I', include, '-o', partial, source, '-lm'];
  const result = spawnSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    fs.rmSync(partial, { force: true });
    return say(`${compiler} could not build it (${result.error?.message ?? `exit code ${result.status}`}); JavaScript hashing is used`);
  }
  fs.renameSync(partial, output);
  return say(`built ${path.relative(process.cwd(), output) || output}`);
}

main();
