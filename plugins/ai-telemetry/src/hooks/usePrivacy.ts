import { useApi } from '@backstage/core-plugin-api';
import {
  ErasureJob,
  MeResponse,
  MyDataResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { aiTelemetryApiRef } from '../api';

/** How often a running erasure job is polled. */
export const ERASURE_POLL_MS = 2000;

/** True while a job still has work to do. */
export function isErasureActive(job: ErasureJob | undefined): boolean {
  return !!job && job.state !== 'done' && job.state !== 'failed';
}

/** The signed-in developer's opt-in registration. */
export function useMe() {
  const api = useApi(aiTelemetryApiRef);
  return useAsyncRetry<MeResponse>(() => api.getMe(), [api]);
}

/** Everything stored about the signed-in developer. */
export function useMyData() {
  const api = useApi(aiTelemetryApiRef);
  return useAsyncRetry<MyDataResponse>(() => api.getMyData(), [api]);
}

/**
 * The developer's erasure jobs, newest first, polled every {@link ERASURE_POLL_MS} while the
 * newest one is neither done nor failed.
 */
export function useErasureJobs() {
  const api = useApi(aiTelemetryApiRef);
  const state = useAsyncRetry(
    async () => (await api.getErasureJobs()).jobs,
    [api],
  );
  const latest = state.value?.[0];
  const active = !state.loading && isErasureActive(latest);
  const { retry } = state;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(retry, ERASURE_POLL_MS);
    return () => clearTimeout(timer);
  }, [active, retry, latest]);
  return state;
}
