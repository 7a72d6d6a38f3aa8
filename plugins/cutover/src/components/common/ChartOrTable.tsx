import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import ListIcon from '@material-ui/icons/List';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import { ReactNode, useId, useState } from 'react';

/** A column of a chart's table view. */
export interface ChartColumn<T> {
  title: string;
  value: (row: T) => ReactNode;
  numeric?: boolean;
}

/**
 * A chart with its text alternatives: a one-sentence summary under it (what a screen reader
 * reads for the chart too) and a table view of the same figures, switched with a labelled toggle.
 */
export function ChartOrTable<T>(props: {
  /** What the chart shows, e.g. "Drift of orders over runs". */
  label: string;
  /** The figures in one sentence: first and last value, range, thresholds. */
  summary: string;
  rows: T[];
  columns: ChartColumn<T>[];
  height: number;
  /** The chart (recharts or SVG). */
  children: ReactNode;
  /** Controls shown beside the view toggle. */
  controls?: ReactNode;
}) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const summaryId = useId();
  return (
    <Box>
      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 12 }}>
        {props.controls}
        <Box flexGrow={1} />
        <ToggleButtonGroup
          size="small"
          exclusive
          value={view}
          onChange={(_e, v) => v && setView(v)}
          aria-label={`View of ${props.label}`}
        >
          <ToggleButton value="chart" aria-label="Show as chart">
            <ShowChartIcon fontSize="small" />
          </ToggleButton>
          <ToggleButton value="table" aria-label="Show as table">
            <ListIcon fontSize="small" />
          </ToggleButton>
        </ToggleButtonGroup>
      </Box>
      {view === 'chart' ? (
        <Box height={props.height} mt={1} role="img" aria-label={props.label} aria-describedby={summaryId}>
          {props.children}
        </Box>
      ) : (
        <Box maxHeight={props.height} mt={1} overflow="auto" tabIndex={0} role="region" aria-label={`${props.label}, as a table`}>
          <Table size="small" stickyHeader>
            <caption style={{ captionSide: 'top', textAlign: 'left', padding: 0 }}>
              <Typography variant="caption" color="textSecondary">
                {props.label}
              </Typography>
            </caption>
            <TableHead>
              <TableRow>
                {props.columns.map(c => (
                  <TableCell key={c.title} align={c.numeric ? 'right' : 'left'} scope="col">
                    {c.title}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {props.rows.map((row, i) => (
                <TableRow key={i}>
                  {props.columns.map(c => (
                    <TableCell key={c.title} align={c.numeric ? 'right' : 'left'}>
                      {c.value(row)}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      <Typography id={summaryId} variant="caption" color="textSecondary" component="p" data-testid="chart-summary">
        {props.summary}
      </Typography>
    </Box>
  );
}
