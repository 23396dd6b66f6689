import { PanelQuery, toCsv } from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Collapse from '@material-ui/core/Collapse';
import Divider from '@material-ui/core/Divider';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CodeIcon from '@material-ui/icons/Code';
import GetAppIcon from '@material-ui/icons/GetApp';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import TableChartIcon from '@material-ui/icons/TableChart';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { ReactNode, useState } from 'react';
import { PanelState } from '../../hooks/usePanelStates';
import { saveFile } from '../../lib/download';
import { DataTable, Tabular } from '../DataTable';
import { EmptyTelemetry } from '../EmptyTelemetry';

/** What every panel answer has that the card shows besides the figures. */
type PanelLike = {
  queries: PanelQuery[];
  ignoredFilters?: string[];
};

export type PanelCardProps<P extends PanelLike> = {
  /** A stable id, for file names and test ids. */
  id: string;
  title: string;
  subheader?: ReactNode;
  state: PanelState<P>;
  /** True when the answer has nothing to show (the empty state is drawn instead). */
  isEmpty: (panel: P) => boolean;
  /** What the empty state names, e.g. "suggestions". */
  emptyWhat?: string;
  /** The panel's figures as a table: the CSV download, and the chart's table alternative. */
  tabular: (panel: P) => Tabular;
  /** Whether the figures are drawn as a chart that can be shown as a table instead. */
  hasChart?: boolean;
  /** Whether the card offers "show query" (false for figures computed in the browser). */
  showsQueries?: boolean;
  /** Draws the figures. */
  children: (panel: P) => ReactNode;
};

const useStyles = makeStyles(theme => ({
  card: { height: '100%', display: 'flex', flexDirection: 'column' },
  content: { flexGrow: 1, paddingTop: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  query: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    margin: theme.spacing(0.5, 0, 1),
    padding: theme.spacing(1),
    background: theme.palette.action.hover,
    color: theme.palette.text.primary,
    borderRadius: theme.shape.borderRadius,
  },
}));

function describeQuery(q: PanelQuery): string {
  const parts: string[] = [q.type, `from ${q.source}`];
  if (q.step) parts.push(`step ${q.step} s`);
  return parts.join(' · ');
}

/**
 * The frame of every panel: title, a loading bar, an error with the server's message and a
 * retry, the empty state that says how to start sending telemetry, "download CSV", "show
 * query" with the PromQL the panel ran, and a table alternative to its chart.
 */
export function PanelCard<P extends PanelLike>(props: PanelCardProps<P>) {
  const classes = useStyles();
  const { id, title, subheader, state, isEmpty, tabular, hasChart } = props;
  const [showQuery, setShowQuery] = useState(false);
  const [asTable, setAsTable] = useState(false);
  const panel = state.loading ? undefined : state.panel;
  const empty = panel ? isEmpty(panel) : true;

  const download = () => {
    if (!panel) return;
    const { header, rows } = tabular(panel);
    saveFile(toCsv(header, rows), `ai-telemetry-${id}.csv`);
  };

  let body: ReactNode;
  if (state.loading) {
    body = (
      <Box py={3} aria-busy="true">
        <LinearProgress aria-label={`Loading ${title}`} />
        <Typography variant="body2" color="textSecondary">
          Loading…
        </Typography>
      </Box>
    );
  } else if (state.error) {
    body = (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={state.retry}>
            Retry
          </Button>
        }
      >
        <AlertTitle>Could not load {title.toLowerCase()}</AlertTitle>
        {state.error.message}
        {state.error.statusCode ? ` (HTTP ${state.error.statusCode})` : ''}
      </Alert>
    );
  } else if (!panel || empty) {
    body = <EmptyTelemetry what={props.emptyWhat} />;
  } else if (asTable) {
    body = <DataTable data={tabular(panel)} caption={`${title} as a table`} />;
  } else {
    body = props.children(panel);
  }

  const ignored = panel?.ignoredFilters ?? [];
  const hasQueries = props.showsQueries ?? true;

  return (
    <Card className={classes.card} data-testid={`panel-${id}`}>
      <CardHeader
        title={title}
        titleTypographyProps={{ variant: 'h6', component: 'h2' }}
        subheader={subheader}
        action={
          <div className={classes.actions}>
            {hasChart && (
              <Button
                size="small"
                startIcon={asTable ? <ShowChartIcon /> : <TableChartIcon />}
                onClick={() => setAsTable(!asTable)}
                disabled={!panel || empty}
                aria-pressed={asTable}
              >
                {asTable ? 'Chart' : 'Table'}
              </Button>
            )}
            {hasQueries && (
              <Button
                size="small"
                startIcon={<CodeIcon />}
                onClick={() => setShowQuery(!showQuery)}
                disabled={!panel}
                aria-expanded={showQuery}
              >
                {showQuery ? 'Hide query' : 'Show query'}
              </Button>
            )}
            <Button
              size="small"
              startIcon={<GetAppIcon />}
              onClick={download}
              disabled={!panel || empty}
              aria-label={`Download ${title} as CSV`}
              title="Download this panel's figures as CSV"
            >
              CSV
            </Button>
          </div>
        }
      />
      <CardContent className={classes.content}>
        {panel && (
          <Collapse in={showQuery} unmountOnExit>
            <Box mb={2}>
              <Typography variant="subtitle2" component="h3">
                PromQL this panel ran
              </Typography>
              {panel.queries.map((q, i) => (
                <div key={i}>
                  <pre className={classes.query}>{q.query}</pre>
                  <Typography variant="caption" color="textSecondary">
                    {describeQuery(q)}
                  </Typography>
                </div>
              ))}
              <Divider />
            </Box>
          </Collapse>
        )}
        {ignored.length > 0 && (
          <Typography variant="caption" color="textSecondary" component="p">
            The {ignored.join(' and ')} filter does not apply here: these
            metrics have no {ignored.join(' or ')} label.
          </Typography>
        )}
        {body}
      </CardContent>
    </Card>
  );
}
