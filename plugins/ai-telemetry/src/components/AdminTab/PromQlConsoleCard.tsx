import { useApi } from '@backstage/core-plugin-api';
import {
  CONTRACT_METRIC_PREFIX,
  RawQueryRequest,
  RECORDING_RULE_PREFIX,
} from '@fawkes/plugin-ai-telemetry-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import { FormEvent, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { aiTelemetryApiRef } from '../../api';
import { failureOf } from '../../hooks/usePanelStates';
import { FailureAlert } from '../FailureAlert';
import { AdminCard, Empty, Loading } from './AdminCard';
import { RawQueryResult } from './RawQueryResult';

/** The ranges the console offers, each ending now, with the step it starts from. */
const RANGES = {
  '24h': { label: 'Last 24 hours', seconds: 86_400, step: '15m' },
  '7d': { label: 'Last 7 days', seconds: 7 * 86_400, step: '1h' },
  '30d': { label: 'Last 30 days', seconds: 30 * 86_400, step: '3h' },
} as const;
type ConsoleRange = keyof typeof RANGES;

const EXAMPLE =
  'sum by (language) (increase(ai_copilot_suggestions_total[1h]))';

/**
 * The raw PromQL console (permission `ai-telemetry.query.raw`): a range query over the plugin's
 * own metrics, answered as a table and a chart, or with the backend's refusal word for word.
 */
export const PromQlConsoleCard = () => {
  const api = useApi(aiTelemetryApiRef);
  const [query, setQuery] = useState('');
  const [range, setRange] = useState<ConsoleRange>('7d');
  const [step, setStep] = useState<string>(RANGES['7d'].step);
  const [state, run] = useAsyncFn(
    (request: RawQueryRequest) => api.runRawQuery(request),
    [api],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const end = Math.floor(Date.now() / 1000);
    run({ query, start: end - RANGES[range].seconds, end, step: step.trim() });
  };

  const failure = state.error && failureOf(state.error);
  const result = state.loading ? undefined : state.value;

  return (
    <AdminCard
      id="promql-console"
      title="PromQL console"
      subheader="Range queries over the AI telemetry metrics, for telemetry administrators"
    >
      <Typography variant="body2" paragraph>
        Answers are pooled, never about one person. Select the contract's
        metrics (<code>{CONTRACT_METRIC_PREFIX}*</code>) or the{' '}
        <code>{RECORDING_RULE_PREFIX}*</code> recording rules, read counters
        through a window and aggregate them, e.g.{' '}
        <code>
          sum by (language) (increase(ai_copilot_suggestions_total[1d]))
        </code>{' '}
        with a step of at least that window. Every group of the answer must pool
        at least <code>aiTelemetry.privacy.minGroupSize</code> developers with
        data (5 unless configured otherwise); <code>user_hash</code>,{' '}
        <code>topk</code>, <code>max</code>, <code>label_replace</code> and
        other ways to pick out one person are refused. When the backend refuses
        a query, its reason is shown here as it gave it.
      </Typography>
      <form onSubmit={submit} aria-label="PromQL query">
        <TextField
          id="ai-telemetry-promql"
          label="PromQL"
          value={query}
          onChange={e => setQuery(e.target.value)}
          placeholder={EXAMPLE}
          multiline
          minRows={3}
          fullWidth
          variant="outlined"
          inputProps={{ style: { fontFamily: 'monospace' }, spellCheck: false }}
        />
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          mt={2}
          style={{ gap: 16 }}
        >
          <TextField
            id="ai-telemetry-promql-range"
            select
            label="Range"
            value={range}
            onChange={e => {
              const next = e.target.value as ConsoleRange;
              setRange(next);
              setStep(RANGES[next].step);
            }}
            variant="outlined"
            size="small"
            style={{ minWidth: 160 }}
          >
            {Object.entries(RANGES).map(([value, r]) => (
              <MenuItem key={value} value={value}>
                {r.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="ai-telemetry-promql-step"
            label="Step"
            value={step}
            onChange={e => setStep(e.target.value)}
            helperText="seconds, or a duration such as 15m"
            variant="outlined"
            size="small"
          />
          <Button
            type="submit"
            variant="contained"
            color="primary"
            startIcon={<PlayArrowIcon />}
            disabled={
              state.loading || query.trim() === '' || step.trim() === ''
            }
          >
            Run
          </Button>
        </Box>
      </form>
      <Box mt={2}>
        {state.loading && <Loading what="the query result" />}
        {failure && (
          <FailureAlert
            title={
              failure.statusCode === 400
                ? 'The backend refused this query'
                : 'The query failed'
            }
            failure={failure}
          />
        )}
        {result && result.series.length === 0 && (
          <Empty>The query matched no series in this range.</Empty>
        )}
        {result && result.series.length > 0 && (
          <RawQueryResult result={result} />
        )}
      </Box>
    </AdminCard>
  );
};
