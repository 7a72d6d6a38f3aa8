import { Table, TableColumn, TableProps } from '@backstage/core-components';
import { MTableBodyRow } from '@material-table/core';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import { createContext, ReactNode, useContext, useMemo, useRef } from 'react';

/**
 * The settings of a table's column of row buttons: titled "Actions", neither sorted nor searched,
 * the buttons side by side with each label on one line.
 */
export const ACTIONS_COLUMN = {
  title: 'Actions',
  sorting: false,
  searchable: false,
  cellStyle: { whiteSpace: 'nowrap' },
} as const;

/** Rows per page of the plugin's tables. */
export const PAGE_SIZE = 10;

interface RowSettings {
  testId?: (row: any) => string;
  detail?: (row: any) => ReactNode;
  columns: number;
}

const RowContext = createContext<RowSettings>({ columns: 1 });

/** A row of the table, with its test id and, below it, its details when the page shows them. */
function DataTableRow(rowProps: any) {
  const { testId, detail, columns } = useContext(RowContext);
  const shown = detail?.(rowProps.data);
  return (
    <>
      <MTableBodyRow {...rowProps} data-testid={testId?.(rowProps.data)} />
      {shown ? (
        <TableRow>
          <TableCell colSpan={columns}>{shown}</TableCell>
        </TableRow>
      ) : null}
    </>
  );
}

/**
 * The portal's `Table` (sorting, paging, search) as the plugin's lists use it: dense, paged by
 * {@link PAGE_SIZE} once there are more rows than that, searchable, each row marked with
 * `rowTestId` (`data-testid`) so that tests find it, and an optional detail row below a row
 * (`renderDetail` returns nothing for a row whose details are closed).
 */
export function DataTable<T extends object>(
  props: TableProps<T> & {
    data: T[];
    /** The `data-testid` of a row. */
    rowTestId?: (row: T) => string;
    /** What shows below a row, spanning the table; nothing while its details are closed. */
    renderDetail?: (row: T) => ReactNode;
  },
) {
  const { rowTestId, renderDetail, options, components, data, columns, ...rest } = props;
  const visibleColumns = columns.filter(c => !c.hidden).length;
  const context = useMemo(
    () => ({ testId: rowTestId, detail: renderDetail, columns: visibleColumns }),
    [rowTestId, renderDetail, visibleColumns],
  );
  // material-table adds `tableData` to the rows it is given: give it copies, not the page's state.
  const rows = useRef<{ source?: T[]; copies: T[] }>({ copies: [] });
  if (rows.current.source !== data) {
    rows.current = { source: data, copies: data.map(d => ({ ...d })) };
  }
  const paged = data.length > PAGE_SIZE;
  return (
    <RowContext.Provider value={context}>
      <Table<T>
        data={rows.current.copies}
        columns={columns}
        options={{
          padding: 'dense',
          search: true,
          paging: paged,
          pageSize: PAGE_SIZE,
          pageSizeOptions: [PAGE_SIZE, 25, 50, 100],
          emptyRowsWhenPaging: false,
          draggable: false,
          ...options,
        }}
        components={{ Row: DataTableRow, ...components }}
        {...rest}
      />
    </RowContext.Provider>
  );
}

export type { TableColumn };
