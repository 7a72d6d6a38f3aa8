import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * The access restrictions of the example portal's jobs' token, read from the repository's
 * app-config.yaml, so that the tests and the permission matrix check the token adopters copy, not
 * a paraphrase of it.
 */
export function exampleJobRestrictions(): { permissionNames: string[] } {
  const file = path.resolve(__dirname, '../../../../app-config.yaml');
  const config = YAML.parse(fs.readFileSync(file, 'utf8'));
  const entry = config.backend.auth.externalAccess.find(
    (e: any) => e.options?.subject === 'cutover-jobs',
  );
  const restriction = entry.accessRestrictions.find(
    (r: any) => r.plugin === 'cutover',
  );
  return { permissionNames: restriction.permission };
}
