import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  aiTelemetryDataErasePermission,
  aiTelemetryRawQueryPermission,
  AuditEntry,
  RawQueryResponse,
} from '@fawkes/plugin-ai-telemetry-common';
import {
  fireEvent,
  screen,
  waitFor,
  waitForElementToBeRemoved,
  within,
} from '@testing-library/react';
import { aiTelemetryApiRef } from '../../api';
import { erasureJob, mockApi, responseError } from '../../testing/fixtures';
import {
  FreshPermissionCache,
  permissionApiAllowing,
} from '../../__testUtils__/permissions';
import { AdminTab } from './AdminTab';

const EVERY_ADMIN_PERMISSION = [
  aiTelemetryRawQueryPermission.name,
  aiTelemetryDataErasePermission.name,
];

/** 2026-11-03T10:00:00Z */
const T = Date.UTC(2026, 10, 3, 10);

const rawResult: RawQueryResponse = {
  query: 'sum by (language) (increase(ai_copilot_suggestions_total[1h]))',
  start: T - 2 * 3_600_000,
  end: T,
  step: 3600,
  series: [
    {
      labels: { language: 'python' },
      points: [
        { t: T - 2 * 3_600_000, v: 4 },
        { t: T - 3_600_000, v: 6 },
        { t: T, v: 9 },
      ],
    },
    { labels: { language: 'go' }, points: [{ t: T, v: 2 }] },
  ],
};

const auditEntries: AuditEntry[] = [
  {
    id: '3',
    at: '2026-11-03T10:05:00.000Z',
    action: 'erasure_done',
    actor: 'system',
    subject: 'user:default/jane.doe',
    detail: 'verified: 0 series remain',
  },
  {
    id: '2',
    at: '2026-11-03T10:00:00.000Z',
    action: 'erasure_requested',
    actor: 'user:default/admin',
    subject: 'user:default/jane.doe',
  },
  {
    id: '1',
    at: '2026-11-01T09:00:00.000Z',
    action: 'opt_in',
    actor: 'user:default/jane.doe',
    subject: 'user:default/jane.doe',
  },
];

function render(api: ReturnType<typeof mockApi>, allowed: string[]) {
  return renderInTestApp(
    <FreshPermissionCache>
      <TestApiProvider
        apis={[
          [aiTelemetryApiRef, api],
          [permissionApiRef, permissionApiAllowing(...allowed)],
        ]}
      >
        <AdminTab />
      </TestApiProvider>
    </FreshPermissionCache>,
  );
}

function adminApi(overrides: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    getAuditLog: jest.fn().mockResolvedValue({ entries: auditEntries }),
    ...overrides,
  });
}

describe('AdminTab', () => {
  it('shows an administrator the PromQL console, erasure on behalf of a user and the audit log, newest first', async () => {
    const api = adminApi();
    await render(api, EVERY_ADMIN_PERMISSION);

    expect(
      await screen.findByRole('heading', { name: 'PromQL console' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: "Erase a developer's data" }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Audit log' }),
    ).toBeInTheDocument();

    const log = await screen.findByRole('table', { name: 'Audit log' });
    const rows = within(log).getAllByRole('row');
    expect(rows.map(r => r.textContent)).toEqual([
      'timeactoractionsubjectdetail',
      '2026-11-03 10:05 UTCsystemerasure_doneuser:default/jane.doeverified: 0 series remain',
      '2026-11-03 10:00 UTCuser:default/adminerasure_requesteduser:default/jane.doe—',
      '2026-11-01 09:00 UTCuser:default/jane.doeopt_inuser:default/jane.doe—',
    ]);
    expect(api.getAuditLog).toHaveBeenCalledWith({ limit: 100 });
  });

  it('shows each card only to holders of its permission', async () => {
    const api = adminApi();
    await render(api, [aiTelemetryRawQueryPermission.name]);
    expect(
      await screen.findByRole('heading', { name: 'PromQL console' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: "Erase a developer's data" }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'Audit log' }),
    ).not.toBeInTheDocument();
    expect(api.getAuditLog).not.toHaveBeenCalled();
  });

  it('says what it needs to a user without either permission', async () => {
    await render(adminApi(), []);
    expect(
      await screen.findByText(/This tab is for telemetry administrators/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'PromQL console' }),
    ).not.toBeInTheDocument();
  });

  it('runs a query over the chosen range and step, and shows each series with its last value and points', async () => {
    const api = adminApi({
      runRawQuery: jest.fn().mockResolvedValue(rawResult),
    });
    await render(api, [aiTelemetryRawQueryPermission.name]);
    const console_ = await screen.findByTestId('admin-promql-console');

    fireEvent.change(within(console_).getByLabelText('PromQL'), {
      target: { value: rawResult.query },
    });
    fireEvent.mouseDown(within(console_).getByLabelText('Range'));
    fireEvent.click(
      within(screen.getByRole('listbox')).getByText('Last 24 hours'),
    );
    expect(within(console_).getByLabelText('Step')).toHaveValue('15m');
    fireEvent.click(within(console_).getByRole('button', { name: 'Run' }));

    const table = await screen.findByRole('table', { name: 'Query result' });
    expect(
      within(table)
        .getAllByRole('row')
        .map(r => r.textContent),
    ).toEqual([
      'labelslast valuepoints',
      'language="python"93',
      'language="go"21',
    ]);
    expect(screen.getByText('Query result over time')).toBeInTheDocument();
    const [request] = api.runRawQuery.mock.calls[0];
    expect(request).toMatchObject({ query: rawResult.query, step: '15m' });
    expect(Number(request.end) - Number(request.start)).toBe(86_400);
  });

  it("shows the backend's refusal of a query word for word", async () => {
    const refusal =
      'The result would carry user_hash on 3 series; aggregate it away, e.g. sum without (user_hash) (...)';
    const api = adminApi({
      runRawQuery: jest
        .fn()
        .mockRejectedValue(await responseError(400, 'InputError', refusal)),
    });
    await render(api, [aiTelemetryRawQueryPermission.name]);
    const console_ = await screen.findByTestId('admin-promql-console');
    expect(console_).toHaveTextContent(/Answers are pooled/);

    fireEvent.change(within(console_).getByLabelText('PromQL'), {
      target: { value: 'ai_copilot_suggestions_total' },
    });
    fireEvent.click(within(console_).getByRole('button', { name: 'Run' }));

    const alert = await within(console_).findByRole('alert');
    expect(alert).toHaveTextContent('The backend refused this query');
    expect(alert).toHaveTextContent(`${refusal} (HTTP 400)`);
  });

  it("asks for confirmation before erasing a developer's data, then starts it and follows the job", async () => {
    const job = {
      ...erasureJob('running', 2),
      userEntityRef: 'user:default/jane.doe',
      requestedBy: 'user:default/admin',
      reason: 'request by mail of 3 November',
    };
    const api = adminApi({
      requestErasureFor: jest.fn().mockResolvedValue(job),
      getAdminErasureJobs: jest.fn().mockResolvedValue({ jobs: [job] }),
    });
    await render(api, [aiTelemetryDataErasePermission.name]);
    const card = await screen.findByTestId('admin-erase-user');

    fireEvent.change(within(card).getByLabelText('User entity ref'), {
      target: { value: 'user:default/jane.doe' },
    });
    fireEvent.change(within(card).getByLabelText('Reason (optional)'), {
      target: { value: 'request by mail of 3 November' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Erase…' }));

    const dialog = screen.getByRole('dialog', {
      name: 'Erase all AI telemetry of user:default/jane.doe?',
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitForElementToBeRemoved(dialog);
    expect(api.requestErasureFor).not.toHaveBeenCalled();

    fireEvent.click(within(card).getByRole('button', { name: 'Erase…' }));
    fireEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', {
        name: 'Erase their data',
      }),
    );

    expect(await within(card).findByTestId('erasure-job')).toHaveTextContent(
      /Erasure of user:default\/jane.doe\s*running/,
    );
    expect(api.requestErasureFor).toHaveBeenCalledWith(
      'user:default/jane.doe',
      'request by mail of 3 November',
    );
    expect(api.getAdminErasureJobs).toHaveBeenCalledWith(
      'user:default/jane.doe',
    );
    expect(within(card).getByTestId('erasure-job')).toHaveTextContent(
      'reason: request by mail of 3 November',
    );
    expect(
      within(card).getByTestId('erasure-step-delete_counters'),
    ).toHaveTextContent('Delete their running totals in the portal database');
  });

  it("takes only a User's entity ref", async () => {
    await render(adminApi(), [aiTelemetryDataErasePermission.name]);
    const card = await screen.findByTestId('admin-erase-user');
    fireEvent.change(within(card).getByLabelText('User entity ref'), {
      target: { value: 'group:default/search' },
    });
    expect(card).toHaveTextContent(
      'group:default/search is a group, not a User',
    );
    expect(within(card).getByRole('button', { name: 'Erase…' })).toBeDisabled();
    expect(
      within(card).getByRole('button', { name: 'Show jobs' }),
    ).toBeDisabled();
  });

  it("shows the audit log's empty state, and its error with a retry", async () => {
    const getAuditLog = jest
      .fn()
      .mockRejectedValueOnce(
        await responseError(503, 'ServiceUnavailableError', 'Database down'),
      )
      .mockResolvedValueOnce({ entries: [] });
    await render(adminApi({ getAuditLog }), [
      aiTelemetryDataErasePermission.name,
    ]);
    const card = await screen.findByTestId('admin-audit-log');
    expect(await within(card).findByRole('alert')).toHaveTextContent(
      'Database down (HTTP 503)',
    );
    fireEvent.click(within(card).getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(card).toHaveTextContent('The audit log is empty.'),
    );
  });
});
