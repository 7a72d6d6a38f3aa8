import {
  Content,
  MissingAnnotationEmptyState,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { CUTOVER_MIGRATION_ANNOTATION } from '@switchyard/plugin-cutover-common';
import { ReactNode, useState } from 'react';
import { getEntityMigrationIds } from '../../conditions';
import { AccessibleTheme } from './AccessibleTheme';

/** Picks one of several migrations named by the entity's annotation. */
export function MigrationSelector(props: {
  ids: string[];
  children: (migrationId: string) => JSX.Element;
}) {
  const [selected, setSelected] = useState(props.ids[0]);
  if (props.ids.length === 1) return props.children(props.ids[0]);
  return (
    <Box>
      <Tabs
        value={selected}
        onChange={(_e, v) => setSelected(v)}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Migrations of this entity"
        variant="scrollable"
      >
        {props.ids.map(id => (
          <Tab key={id} value={id} label={id} />
        ))}
      </Tabs>
      <Box mt={2}>{props.children(selected)}</Box>
    </Box>
  );
}

/**
 * The body of every tab: the migrations the entity's annotation names, one at a time, or how
 * to annotate the entity when it names none. Its colors meet WCAG AA contrast (see
 * {@link AccessibleTheme}).
 */
export function EntityMigrations(props: {
  /** The view of one migration. */
  children: (migrationId: string) => JSX.Element;
  /** Shown above the views, given the migration ids. */
  header?: (ids: string[]) => ReactNode;
}) {
  const { entity } = useEntity();
  const ids = getEntityMigrationIds(entity);
  if (!ids.length) {
    return (
      <MissingAnnotationEmptyState annotation={CUTOVER_MIGRATION_ANNOTATION} />
    );
  }
  return (
    <AccessibleTheme>
      <Content noPadding>
        {props.header?.(ids)}
        <MigrationSelector ids={ids}>{props.children}</MigrationSelector>
      </Content>
    </AccessibleTheme>
  );
}
