import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { UpstreamHealth } from '@fawkes/plugin-ai-telemetry-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { aiTelemetryApiRef } from '../../api';

function describe(health: UpstreamHealth | undefined) {
  if (!health) {
    return 'not shown';
  }
  return health.up ? (
    <StatusOK>up ({health.latencyMs} ms)</StatusOK>
  ) : (
    <StatusError>down: {health.error}</StatusError>
  );
}

/** Shows whether the backend reaches Prometheus and the Pushgateway. */
export const StackHealthCard = () => {
  const api = useApi(aiTelemetryApiRef);
  const { value, loading, error } = useAsyncRetry(() => api.getHealth(), [api]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  // The backend tells the upstreams' details to signed-in callers only; the portal is one.
  const { status, prometheus, pushgateway } = value!;
  return (
    <InfoCard title="Telemetry stack">
      <StructuredMetadataTable
        metadata={{
          Status: status,
          Prometheus: describe(prometheus),
          'Prometheus URL': prometheus?.url ?? 'not shown',
          Pushgateway: describe(pushgateway),
          'Pushgateway URL': pushgateway?.url ?? 'not shown',
        }}
      />
    </InfoCard>
  );
};
