import * as common from '@fawkes/plugin-ai-telemetry-common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as contract from './contract';
import {
  LanguageShare,
  PanelError,
  ReportAnswer,
  ReportDashboard,
} from './report/dashboard';

/** True when an A can be used where a B is expected. */
type Fits<A, B> = [A] extends [B] ? true : false;
/** True when A and B are the same type, optional fields included. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B
  ? 1
  : 2
  ? true
  : false;

describe('the contract copy', () => {
  it('has the values of @fawkes/plugin-ai-telemetry-common', () => {
    const names = Object.keys(contract) as Array<keyof typeof contract>;
    expect(names.sort()).toEqual([
      'ACTIVITIES',
      'DEFAULT_ASSISTANTS',
      'DEFAULT_LANGUAGES',
      'EVENT_KINDS',
      'FEATURES',
      'INGEST_LIMITS',
      'LABEL_VALUE_PATTERN',
      'OTHER',
      'TELEMETRY_ENV',
    ]);
    for (const name of names) {
      expect({ [name]: contract[name] }).toEqual({ [name]: common[name] });
    }
  });

  it('has the types of @fawkes/plugin-ai-telemetry-common', () => {
    // Checked by the compiler: `yarn tsc` fails when a copy drifts from the original.
    const same = {
      TelemetryEvent: true satisfies Same<
        contract.TelemetryEvent,
        common.TelemetryEvent
      >,
      SuggestionEvent: true satisfies Same<
        contract.SuggestionEvent,
        common.SuggestionEvent
      >,
      FeatureEvent: true satisfies Same<
        contract.FeatureEvent,
        common.FeatureEvent
      >,
      TimeSavedEvent: true satisfies Same<
        contract.TimeSavedEvent,
        common.TimeSavedEvent
      >,
      IngestEventsRequest: true satisfies Same<
        contract.IngestEventsRequest,
        common.IngestEventsRequest
      >,
      IngestEventsResponse: true satisfies Same<
        contract.IngestEventsResponse,
        common.IngestEventsResponse
      >,
      Activity: true satisfies Same<contract.Activity, common.Activity>,
      Feature: true satisfies Same<contract.Feature, common.Feature>,
      LanguageShare: true satisfies Same<LanguageShare, common.LanguageShare>,
      // The report reads a part of the dashboard answer.
      ReportDashboard: true satisfies Fits<
        common.DashboardResponse,
        ReportDashboard
      >,
      ReportAnswer: true satisfies Fits<
        common.OrganisationDashboardResponse,
        ReportAnswer
      >,
      PanelError: true satisfies Fits<common.PanelError, PanelError>,
    };
    expect(Object.values(same)).not.toContain(false);
  });

  it('leaves the published package without Backstage or workspace dependencies', () => {
    const manifest = JSON.parse(
      readFileSync(path.resolve(__dirname, '../package.json'), 'utf8'),
    );
    const installed = {
      ...manifest.dependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    };
    expect(
      Object.entries(installed).filter(
        ([name, range]) =>
          /^@(backstage|fawkes)\//.test(name) ||
          String(range).startsWith('workspace:'),
      ),
    ).toEqual([]);
  });
});
