import { UsageFigures } from '@fawkes/plugin-ai-telemetry-common';
import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { usagePanel } from '../../testing/fixtures';
import { loaded } from '../../testing/states';
import { UsagePanel } from './UsagePanel';

/** The usage panel with the fixture's figures, some replaced. */
function renderFigures(figures: Partial<UsageFigures>) {
  const data = { ...usagePanel.data, ...figures } as UsageFigures;
  return renderInTestApp(
    <UsagePanel state={loaded({ ...usagePanel, data })} />,
  );
}

describe('UsagePanel', () => {
  it('shows tokens, cost, sessions, active time, commits and pull requests, with tokens by model', async () => {
    const { container } = await renderInTestApp(
      <UsagePanel state={loaded(usagePanel)} />,
    );
    expect(screen.getByRole('group', { name: 'Tokens' })).toHaveTextContent(
      '4.2 M12 developers reporting',
    );
    expect(screen.getByRole('group', { name: 'Usage cost' })).toHaveTextContent(
      '$121.35$10.11 per reporting developer',
    );
    expect(screen.getByRole('group', { name: 'Sessions' })).toHaveTextContent(
      '96',
    );
    expect(
      screen.getByRole('group', { name: 'Active time' }),
    ).toHaveTextContent('41 hdevelopers at the keyboard; agents worked 17 h');
    expect(screen.getByRole('group', { name: 'Commits' })).toHaveTextContent(
      '58',
    );
    expect(
      screen.getByRole('group', { name: 'Pull requests' }),
    ).toHaveTextContent('14');
    expect(screen.getByText('Tokens per day, stacked by type')).toBeVisible();
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(3);

    const table = screen.getByRole('table', {
      name: 'Tokens and cost by model',
    });
    const rows = table.querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent(
      'claude-sonnet-4-5500 k400 k2.5 M$101.50',
    );
    expect(rows[1]).toHaveTextContent('gemini-2.5-pro200 k100 k500 k$19.85');
  });

  it('draws tokens or cost by assistant or model, with the cost per accepted line', async () => {
    const { container } = await renderInTestApp(
      <UsagePanel state={loaded(usagePanel)} />,
    );
    expect(
      screen.getByRole('group', { name: 'Cost per accepted line' }),
    ).toHaveTextContent(
      '$0.052,427 lines and their cost, from claude-code, gemini-cli',
    );

    fireEvent.click(screen.getByRole('button', { name: 'By assistant' }));
    expect(
      screen.getByText('Tokens per day, stacked by assistant'),
    ).toBeVisible();
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Cost' }));
    expect(
      screen.getByText('Usage cost (USD) per day, stacked by assistant'),
    ).toBeVisible();
    // Cost has no token type to stack by.
    expect(screen.getByRole('button', { name: 'By type' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'By model' }));
    expect(
      screen.getByText('Usage cost (USD) per day, stacked by model'),
    ).toBeVisible();

    const rows = screen
      .getByRole('table', {
        name: 'Tokens, cost and accepted lines by assistant',
      })
      .querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('claude-code3.4 M$101.502,030$0.05');
    expect(rows[1]).toHaveTextContent('gemini-cli800 k$19.85397$0.05');
  });

  it('offers no cost chart when no cost is known', async () => {
    await renderFigures({
      cost: null,
      totalCostUsd: null,
      costByAssistant: [],
      costByModel: [],
      costPerAcceptedLine: null,
      byAssistant: [
        {
          assistant: 'claude-code',
          totalTokens: 3_400_000,
          costUsd: null,
          acceptedLines: 2_030,
        },
      ],
    });
    expect(screen.getByRole('button', { name: 'Cost' })).toBeDisabled();
    expect(
      screen.getByRole('group', { name: 'Cost per accepted line' }),
    ).toHaveTextContent('No assistant reported a cost');
  });

  it('says why there is no cost per accepted line when the assistants with a cost have no lines', async () => {
    // Codex reports a cost but no lines: the answer leaves the cost per accepted line out.
    const codex = { assistant: 'codex', totalTokens: 9e5, costUsd: 12.5 };
    await renderFigures({
      costPerAcceptedLine: null,
      byAssistant: [{ ...codex, acceptedLines: 0 }],
    });
    expect(
      screen.getByRole('group', { name: 'Cost per accepted line' }),
    ).toHaveTextContent('—No accepted lines from the assistants with a cost');
  });

  it('shows active time as one total where too few developers have agents working to split it', async () => {
    await renderFigures({
      activeSeconds: { total: 58 * 3600, user: null, agent: null },
    });
    expect(
      screen.getByRole('group', { name: 'Active time' }),
    ).toHaveTextContent(
      '58 hdevelopers and agents together: too few developers have agents working to show them apart',
    );
  });

  it('explains withheld figures: no assistant reporting, or too few developers', async () => {
    const { rerender } = await renderInTestApp(
      <UsagePanel
        state={loaded({
          ...usagePanel,
          data: { withheld: true, reason: 'noData', minGroupSize: 5 },
        })}
      />,
    );
    expect(screen.getByTestId('usage-no-data')).toHaveTextContent(
      'Claude Code, Gemini CLI, Codex and Copilot Chat',
    );
    expect(
      screen.getByRole('link', { name: 'Settings → AI Telemetry' }),
    ).toBeInTheDocument();

    rerender(
      <UsagePanel
        state={loaded({
          ...usagePanel,
          data: { withheld: true, reason: 'threshold', minGroupSize: 5 },
        })}
      />,
    );
    expect(screen.getByTestId('usage-withheld')).toHaveTextContent(
      'Fewer than 5 developers here have an assistant reporting',
    );
  });
});
