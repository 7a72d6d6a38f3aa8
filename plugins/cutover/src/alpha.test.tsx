import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isValidElement } from 'react';
import {
  CUTOVER_ENTITY_CONTENT_GROUP,
  cutoverEntityContent,
  cutoverExecutionEntityContent,
  cutoverMigrationEntityContent,
  cutoverReadinessEntityContent,
  cutoverRollbackEntityContent,
  cutoverTimelineEntityContent,
} from './alpha';

// One type for the five, so that the table's rows can be passed alike.
const TABS: Array<[string, any, string]> = [
  ['Migration', cutoverMigrationEntityContent, '/migration'],
  ['Readiness', cutoverReadinessEntityContent, '/readiness'],
  ['Cutover', cutoverEntityContent, '/cutover'],
  ['Rollback', cutoverRollbackEntityContent, '/rollback'],
  ['Timeline', cutoverTimelineEntityContent, '/timeline'],
];

describe('the entity tabs in the new frontend system', () => {
  it.each(TABS)('puts the %s tab in the one cutover group, with an icon of its own', (title, ext, path) => {
    const tester = createExtensionTester(ext);
    expect(tester.get(coreExtensionData.routePath)).toBe(path);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(title);
    expect(tester.get(EntityContentBlueprint.dataRefs.group)).toBe(CUTOVER_ENTITY_CONTENT_GROUP);
    expect(isValidElement(tester.get(EntityContentBlueprint.dataRefs.icon))).toBe(true);
  });

  it('gives each tab a different icon and one group to all', () => {
    const icons = TABS.map(([, ext]) => {
      const icon = createExtensionTester(ext).get(EntityContentBlueprint.dataRefs.icon) as any;
      return icon.type;
    });
    expect(new Set(icons).size).toBe(5);
    const groups = TABS.map(([, ext]) =>
      createExtensionTester(ext).get(EntityContentBlueprint.dataRefs.group),
    );
    expect(new Set(groups)).toEqual(new Set(['operation']));
  });

  it('lets an app move the tabs into a group of its own through config', () => {
    const tester = createExtensionTester(cutoverRollbackEntityContent, {
      config: { group: 'data-migration' },
    });
    expect(tester.get(EntityContentBlueprint.dataRefs.group)).toBe('data-migration');
  });

  it('keeps the old name of the Cutover tab as an alias', () => {
    expect(cutoverExecutionEntityContent).toBe(cutoverEntityContent);
  });
});
