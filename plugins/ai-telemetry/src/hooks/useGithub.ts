import { useApi } from '@backstage/core-plugin-api';
import {
  CopilotSeatsResponse,
  GithubImportStatusResponse,
  MyGithubImportResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import { useCallback } from 'react';
import { aiTelemetryApiRef } from '../api';
import { useLiveAsync } from './useLiveAsync';

/**
 * The GitHub Copilot import's state, loaded again (keeping what is shown) when the backend
 * announces new data.
 */
export function useGithubStatus() {
  const api = useApi(aiTelemetryApiRef);
  return useLiveAsync<GithubImportStatusResponse>(
    useCallback(() => api.getGithubStatus(), [api]),
  );
}

/** The organisation's Copilot seats, or why they are withheld. */
export function useCopilotSeats() {
  const api = useApi(aiTelemetryApiRef);
  return useLiveAsync<CopilotSeatsResponse>(
    useCallback(() => api.getCopilotSeats(), [api]),
  );
}

/** Whether the signed-in developer's Copilot usage is imported, and the days imported. */
export function useMyGithubImport() {
  const api = useApi(aiTelemetryApiRef);
  return useLiveAsync<MyGithubImportResponse>(
    useCallback(() => api.getMyGithubImport(), [api]),
  );
}
