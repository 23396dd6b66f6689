import { CsvCell } from '@fawkes/plugin-ai-telemetry-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { formatTimestamp } from '../../lib/format';

/** A table of figures: the alternative to a chart, and what a CSV download holds. */
export type Tabular = {
  header: string[];
  rows: CsvCell[][];
};

const useStyles = makeStyles({
  container: { maxHeight: 360 },
  head: { whiteSpace: 'nowrap' },
  // The first column names the row (a time, a metric): it reads best unbroken.
  rowName: { whiteSpace: 'nowrap' },
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function text(value: CsvCell): string {
  if (value === null || value === undefined) return '—';
  // CSV files keep ISO times; on screen they read as "2026-11-03 14:00 UTC".
  if (typeof value === 'string' && ISO_TIME.test(value)) {
    return formatTimestamp(value);
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? value.toLocaleString('en-GB')
      : value.toLocaleString('en-GB', { maximumFractionDigits: 3 });
  }
  return String(value);
}

/** Draws a {@link Tabular} as a scrollable table with a sticky header. */
export const DataTable = (props: { data: Tabular; caption: string }) => {
  const classes = useStyles();
  const { data, caption } = props;
  return (
    <TableContainer className={classes.container}>
      <Table size="small" stickyHeader aria-label={caption}>
        <TableHead>
          <TableRow>
            {data.header.map(h => (
              <TableCell key={h} className={classes.head}>
                {h}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {data.rows.map((row, i) => (
            <TableRow key={i}>
              {row.map((value, j) => (
                <TableCell
                  key={j}
                  align={typeof value === 'number' ? 'right' : 'left'}
                  className={j === 0 ? classes.rowName : undefined}
                >
                  {text(value)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
};
