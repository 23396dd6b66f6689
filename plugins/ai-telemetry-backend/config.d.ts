export interface Config {
  /** Fawkes AI Telemetry (docs/operations.md#configuration). */
  aiTelemetry?: {
    prometheus: {
      /** Base URL of the Prometheus (or VictoriaMetrics) HTTP API, e.g. http://127.0.0.1:9090. */
      baseUrl: string;
      /** Extra headers sent with every query, e.g. X-Scope-OrgID for a multi-tenant engine. */
      headers?: { [name: string]: string };
      /**
       * Where the GitHub Copilot import writes its back-dated samples (Prometheus's remote-write
       * receiver, `--web.enable-remote-write-receiver`; VictoriaMetrics takes the same path).
       * Default `<baseUrl>/api/v1/write`.
       */
      remoteWriteUrl?: string;
    };
    pushgateway: {
      /** Base URL of the Pushgateway that keeps the seed's legacy pushes, e.g. http://127.0.0.1:9091. */
      baseUrl: string;
    };
    /**
     * Secret key of the HMAC-SHA256 pseudonyms stored in `user_hash`. Required; outside
     * NODE_ENV=development/test at least 32 characters and never the development key.
     * @visibility secret
     */
    pseudonymKey: string;
    privacy?: {
      /** A team's figures are shown only when at least this many opted-in members have data. Default 5. */
      minGroupSize?: number;
      /** Days of history kept, in Prometheus and in the audit log. Default 90. */
      retentionDays?: number;
    };
    estimates?: {
      /** Seconds a developer would spend typing one line. Default 12. */
      secondsPerLine?: number;
      /** Cost of one developer hour, for the ROI tile. Default 85. */
      hourlyCost?: number;
      /** Cost of one assistant seat per month, for the ROI tile. Default 19. */
      seatCostPerMonth?: number;
    };
    permissions?: {
      /**
       * Telemetry admins, as user or group entity refs (a group means its members and the
       * members of its descendant groups): they hold `ai-telemetry.query.raw` and
       * `ai-telemetry.data.erase` (and so the audit log) in the portal's permission policy.
       * Default: nobody.
       */
      admins?: string[];
    };
    /** Editor language ids counted as such; anything else is counted as `other`. */
    languages?: string[];
    /** Assistants counted as such; anything else is counted as `other`. */
    assistants?: string[];
    /**
     * Model name patterns counted as such in the `model` label (`*` is any characters), after
     * lower-casing and dropping a trailing `-YYYYMMDD`; anything else is counted as `other`.
     * Default `['claude-*', 'gpt-*', 'gemini-*', 'o*']`.
     */
    models?: string[];
    /**
     * Prices in US dollars per million tokens, for assistants that report no cost of their own
     * (Gemini CLI, Codex, Copilot): `ai_copilot_cost_usd_total` is tokens times the price of
     * the first entry whose `model` (a normalised name or `*` pattern) matches. A token type
     * without a price adds nothing; a model without an entry gets no cost. Default: none.
     */
    pricing?: Array<{
      model: string;
      input?: number;
      output?: number;
      cacheRead?: number;
      cacheCreation?: number;
      reasoning?: number;
    }>;
    /** The OTLP receiver (`POST /otlp/v1/metrics`). */
    otlp?: {
      /**
       * Days the state of a metric stream is kept after its last data point (what makes a
       * retried or cumulative export count once). Default 7.
       */
      streamRetentionDays?: number;
    };
    metrics?: {
      /**
       * The `backend.auth.externalAccess` subject Prometheus scrapes `/v1/metrics` with; every
       * other principal, and every user, is refused. Default `prometheus-scrape`.
       */
      scrapeSubject?: string;
      /**
       * Seconds a label combination seen for the first time is served at 0, counted from the
       * first scrape that served it, so that `increase()` counts it from zero even when one
       * scrape is lost. At least two scrape intervals. Default 60.
       */
      newSeriesZeroSeconds?: number;
    };
    ingestion?: {
      /** Days a batch id is remembered, so that a retried batch is counted once. Default 30. */
      batchIdRetentionDays?: number;
    };
    /**
     * Limits that keep one caller from flooding the backend or Prometheus
     * (docs/operations.md#limits). Each is kept per backend instance.
     */
    limits?: {
      ingestion?: {
        /**
         * Events a developer may send a minute (`POST /v1/events`), in bursts of up to a
         * minute's worth; an event with `count` n counts n. Beyond it 429 with Retry-After and
         * nothing stored; a batch that counts more than this is a 413 (split it). At least
         * 100 (the largest `count`). Default 1000.
         */
        eventsPerMinute?: number;
        /**
         * OTLP data points a developer may export a minute (`POST /otlp/v1/metrics`); beyond
         * it 429 with Retry-After. An export of more points than this is a 413. Default 10000
         * (the most points one export may hold).
         */
        otlpPointsPerMinute?: number;
      };
      portal?: {
        /**
         * Requests a signed-in user (or service) may make a minute to the dashboard, panel,
         * team, raw query, `/v1/me*` and `/v1/admin/*` routes; beyond it 429 with Retry-After.
         * Default 600.
         */
        requestsPerMinute?: number;
      };
      rawQueries?: {
        /** Raw queries (`POST /v1/query`) a user may run at once; more is a 429. Default 2. */
        concurrent?: number;
        /** Seconds Prometheus may spend evaluating one raw query. Default 10. */
        timeoutSeconds?: number;
      };
    };
    /** Erasure jobs (docs/privacy-model.md#erasure). Every value is in seconds. */
    erasure?: {
      /** How often a backend instance looks for due erasure jobs. Default 5. */
      workerIntervalSeconds?: number;
      /**
       * Step 4: how long a job waits after removing the user's counters and Pushgateway groups
       * before deleting series in Prometheus, so that no scrape that read the old values is
       * still in flight. Longer than one scrape interval plus its timeout. Default 45.
       */
      scrapeGraceSeconds?: number;
      /** Delay before retrying a failed step; doubles on each further failure. Default 5. */
      retryBaseSeconds?: number;
      /** The longest delay between retries. Default 300. */
      retryMaxSeconds?: number;
      /**
       * How long an instance holds a job it works on: a job whose instance died is resumed by
       * another after this. Also the timeout of one run of the worker. Default 120.
       */
      leaseSeconds?: number;
    };
    /**
     * The adoption panel (src/query/panels/adoption.ts): who counts as a regular developer, and
     * the bounds of the light, moderate and heavy cohorts.
     */
    adoption?: {
      /**
       * A developer active (shown a suggestion) on at least this many days of the window is
       * regular; capped at the window's days. When unset, `regularShare` of the window's days.
       */
      regularDays?: number;
      /**
       * When `regularDays` is unset: the share of the window's days, rounded up and at least
       * one, a regular developer is active on. Default 0.25 (2 days of 7, 8 of 30, 23 of 90).
       */
      regularShare?: number;
      /**
       * Suggestions shown per active day from which a developer is in the moderate cohort;
       * below it, light. Default 50.
       */
      moderateFrom?: number;
      /** Suggestions shown per active day from which a developer is heavy. Default 200. */
      heavyFrom?: number;
    };
    /**
     * Live pages (docs/architecture.md#live-pages): open pages load their figures again when
     * the backend announces new data through Backstage signals.
     */
    live?: {
      /**
       * Prometheus's scrape interval of the metrics endpoint, in seconds (30 in
       * deploy/prometheus). New counters are announced this long after they are stored, plus
       * 3 s for the scrape and 15 s for the dashboards' clock, so that the pages that load
       * again find them (48 s by default); and once more when a new label combination has
       * left its hold at 0 (`metrics.newSeriesZeroSeconds`, one scrape later). Default 30.
       */
      scrapeIntervalSeconds?: number;
      /**
       * The shortest time, in seconds, between two announcements of one backend instance; the
       * changes in between are announced together. Default 5.
       */
      signalIntervalSeconds?: number;
    };
    /**
     * The GitHub Copilot import (docs/architecture.md#the-github-copilot-import): the per-user
     * usage reports GitHub records, for the developers who opted in, and the organisation's
     * Copilot seats as counts. Credentials and the API's base URL come from the
     * `integrations.github` entry of `host` (a token, or a GitHub App installed in the
     * organisation). Without this section nothing is imported and the portal says so.
     */
    github?: {
      /** The organisation whose reports and seats are read. Give this or `enterprise`. */
      organization?: string;
      /** The enterprise (its slug) whose reports and seats are read (needs a token). */
      enterprise?: string;
      /** The `integrations.github` host to use. Default `github.com`. */
      host?: string;
      /**
       * How often the import runs (a global scheduler task: one instance at a time). Default
       * every hour, at most 30 minutes a run (`timeout`), first a minute after start
       * (`initialDelay`); a schedule without them keeps those.
       */
      schedule?: {
        /** e.g. `{ hours: 1 }`, or a cron expression `{ cron: '15 * * * *' }`. */
        frequency: { [unit: string]: number } | { cron: string };
        timeout?: { [unit: string]: number };
        initialDelay?: { [unit: string]: number };
      };
      /**
       * How many days back a developer's reports are imported when the import first covers
       * them (1–365; GitHub keeps a year). Must stay within Prometheus's out-of-order window
       * (`storage.tsdb.out_of_order_time_window`, 32 days in deploy/prometheus). Default 28.
       */
      backfillDays?: number;
      /**
       * Who counts Copilot for a developer with a GitHub login in the catalog: `import` (the
       * default; Copilot counts from their IDE clients, events and OTLP alike, are then not
       * counted) or `clients` (their clients count Copilot, and the import reads seats only).
       */
      sourceOfTruth?: 'import' | 'clients';
    };
    /**
     * Development only: at start-up, opt in every catalog User that has never chosen, issue
     * each a telemetry token, and write `{ "<userEntityRef>": "<token>" }` to `tokenFile`
     * (mode 0600) for the demo's live trickle of events. Leave unset outside development.
     */
    demo?: {
      /** The token file, relative to the backend's working directory. */
      tokenFile: string;
      /** Users the demo leaves alone, as entity refs. */
      excludeUsers?: string[];
    };
  };
}
