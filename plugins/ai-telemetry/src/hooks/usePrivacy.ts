import { useApi } from '@backstage/core-plugin-api';
import {
  ErasureJob,
  MeResponse,
  MyDataResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback, useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { aiTelemetryApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

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

/**
 * Everything stored about the signed-in developer; loaded again, keeping what is shown, when
 * the backend announces new data.
 */
export function useMyData() {
  const api = useApi(aiTelemetryApiRef);
  return useLiveAsync<MyDataResponse>(
    useCallback(() => api.getMyData(), [api]),
  );
}

/**
 * Erasure jobs, newest first, loaded with `load` and polled every {@link ERASURE_POLL_MS} while
 * the newest one is neither done nor failed.
 */
function usePolledErasureJobs(load: () => Promise<ErasureJob[]>) {
  const state = useAsyncRetry(load, [load]);
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

/** The developer's erasure jobs, newest first, polled while the newest one runs. */
export function useErasureJobs() {
  const api = useApi(aiTelemetryApiRef);
  const load = useCallback(
    async () => (await api.getErasureJobs()).jobs,
    [api],
  );
  return usePolledErasureJobs(load);
}

/** A user's erasure jobs as an administrator sees them, newest first, polled while the newest one runs. */
export function useAdminErasureJobs(userEntityRef: string) {
  const api = useApi(aiTelemetryApiRef);
  const load = useCallback(
    async () => (await api.getAdminErasureJobs(userEntityRef)).jobs,
    [api, userEntityRef],
  );
  return usePolledErasureJobs(load);
}
