import {
  METRIC_HELP,
  METRIC_LABELS,
  METRIC_NAMES,
  USER_HASH_LABEL,
} from '@fawkes/plugin-ai-telemetry-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';

/** Exactly what is collected: the counters of the metric contract and their labels. */
export const CollectedData = () => (
  <div>
    <Typography variant="body2" paragraph>
      Counts only, as the {METRIC_NAMES.length} counters below in Prometheus.
      Never code, file or project names, or free text. Your name is replaced by
      a pseudonym (<code>{USER_HASH_LABEL}</code>, a keyed hash the portal
      computes); data is kept for 90 days, and you can see, download and erase
      it under My data.
    </Typography>
    <Table size="small" aria-label="Metrics collected">
      <TableHead>
        <TableRow>
          <TableCell>Metric</TableCell>
          <TableCell>What it counts</TableCell>
          <TableCell>Labels</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {METRIC_NAMES.map(name => (
          <TableRow key={name}>
            <TableCell>
              <code>{name}</code>
            </TableCell>
            <TableCell>{METRIC_HELP[name]}</TableCell>
            <TableCell>
              <code>{METRIC_LABELS[name].join(', ')}</code>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  </div>
);
