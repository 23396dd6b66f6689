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

function describe(health: UpstreamHealth) {
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
  return (
    <InfoCard title="Telemetry stack">
      <StructuredMetadataTable
        metadata={{
          Prometheus: describe(value!.prometheus),
          'Prometheus URL': value!.prometheus.url,
          Pushgateway: describe(value!.pushgateway),
          'Pushgateway URL': value!.pushgateway.url,
        }}
      />
    </InfoCard>
  );
};
