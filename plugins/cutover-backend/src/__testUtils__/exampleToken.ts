import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * The access restrictions of the example portal's jobs' token, read from the repository's
 * app-config.yaml, so that the tests and the permission matrix check the token adopters copy, not
 * a paraphrase of it.
 */
function exampleAppConfig(): any {
  const file = path.resolve(__dirname, '../../../../app-config.yaml');
  return YAML.parse(fs.readFileSync(file, 'utf8'));
}

export function exampleJobRestrictions(): { permissionNames: string[] } {
  const config = exampleAppConfig();
  const entry = config.backend.auth.externalAccess.find(
    (e: any) => e.options?.subject === 'cutover-jobs',
  );
  const restriction = entry.accessRestrictions.find(
    (r: any) => r.plugin === 'cutover',
  );
  return { permissionNames: restriction.permission };
}

/** The example portal's Tech Insights checks (app-config.yaml), so tests judge the checks adopters copy. */
export function exampleTechInsightsChecks(): Record<string, unknown> {
  return exampleAppConfig().techInsights.factChecker.checks;
}
