import {
  GithubImportErrorReason,
  GithubImportScope,
  GithubNotImportedReason,
} from '@fawkes/plugin-ai-telemetry-common';

/** "organisation fawkes", "enterprise fawkes-inc". */
export function scopeText(scope: GithubImportScope | undefined): string {
  if (!scope) return 'GitHub';
  return `${scope.kind === 'enterprise' ? 'enterprise' : 'organisation'} ${
    scope.name
  }`;
}

/** Why the import failed, in a few words: the title of what admins see. */
export const IMPORT_ERROR_TITLES: Record<GithubImportErrorReason, string> = {
  credentials: 'GitHub refused the credentials (401)',
  forbidden: 'GitHub refused access (403)',
  not_found: 'GitHub has no Copilot metrics here (404)',
  rate_limited: "GitHub's rate limit was reached",
  link_expired: "A report's download link expired",
  github_unavailable: 'GitHub did not answer',
  invalid_report: 'A report was not in the documented format',
  prometheus: 'Prometheus did not take the imported figures',
  catalog: 'The catalog could not be read',
  integration: 'No GitHub credentials for the host',
  internal: 'The import itself failed',
};

/** What an administrator can do about each failure. */
export const IMPORT_ERROR_HINTS: Record<GithubImportErrorReason, string> = {
  credentials:
    'Check the token or GitHub App of the integrations.github entry for this host: it may be wrong, expired or revoked.',
  forbidden:
    'The token needs the manage_billing:copilot or read:org scope (read:enterprise for an enterprise), or the GitHub App the matching read permission, and the "Copilot usage metrics" policy must be enabled.',
  not_found:
    'Check aiTelemetry.github.organization (or enterprise), and that Copilot and its usage metrics are enabled there.',
  rate_limited:
    'The import waits as GitHub asks and goes on by itself; nothing is lost.',
  link_expired:
    'GitHub signs report links for a short time; the next run asks for fresh ones.',
  github_unavailable: 'The next run tries again.',
  invalid_report:
    'The day is tried again on the next run; if it keeps failing, GitHub may have changed the report format.',
  prometheus:
    'The imported figures are kept in the database and written on the next run: check that Prometheus is up and accepts remote writes.',
  catalog: 'The next run tries again: check that the catalog answers.',
  integration:
    'Add an integrations.github entry (a token or a GitHub App) for the host in app-config.',
  internal: 'The message says how; the next run tries again.',
};

/** Why a developer's Copilot usage is not imported, as a short title. */
export const NOT_IMPORTED_TITLES: Record<GithubNotImportedReason, string> = {
  not_configured: 'Not imported: the GitHub import is off',
  clients_are_source_of_truth: 'Copilot counts from your IDE, not from GitHub',
  not_opted_in: 'Not imported: AI telemetry is off for you',
  no_login: 'Not imported: no GitHub login on your catalog User',
  not_in_catalog: 'Not imported: you are not a User in the catalog',
};

/** What a developer can do about it. */
export const NOT_IMPORTED_HINTS: Record<GithubNotImportedReason, string> = {
  not_configured:
    'Your portal administrators turn it on with aiTelemetry.github in app-config and GitHub credentials under integrations.github.',
  clients_are_source_of_truth:
    'This portal takes Copilot figures from the IDE clients (aiTelemetry.github.sourceOfTruth: clients); set up Copilot in your IDE to report them.',
  not_opted_in:
    'Turn AI telemetry on: the next import then brings in your recent Copilot usage from GitHub.',
  no_login:
    "Ask your portal administrators to add the annotation github.com/user-login with your GitHub login to your User (Backstage's GitHub org provider sets it).",
  not_in_catalog:
    'Ask your portal administrators to add you to the catalog, with the annotation github.com/user-login.',
};
