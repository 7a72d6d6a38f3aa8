import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BASE, renderEntityTab } from '../../__testUtils__/render';
import { ScorecardCard, SWITCHYARD_FACT_RETRIEVER_ID } from './ScorecardCard';

const server = setupServer();
registerMswTestHooks(server);

// The test discovery answers one base URL for every plugin, so Tech Insights' routes live under it.
const CHECKS = `${BASE}/checks/run/default/component/orders-service`;
const FACTS = `${BASE}/facts/latest`;

const check = (
  id: string,
  name: string,
  result: boolean,
  factIds = [SWITCHYARD_FACT_RETRIEVER_ID],
) => ({
  check: {
    id,
    name,
    description: `${name} (description)`,
    factIds,
    type: 'json-rules-engine',
  },
  facts: {},
  result,
});

describe('ScorecardCard', () => {
  it("shows the checks that read Switchyard's facts, pass or fail, and the facts they judged", async () => {
    const asked: string[] = [];
    server.use(
      http.post(CHECKS, () =>
        HttpResponse.json([
          check(
            'switchyardNoLongNoGo',
            'No migration in NO_GO for more than 7 days',
            false,
          ),
          check(
            'switchyardDriftAfterCutover',
            'Drift below warning after cutover',
            true,
          ),
          check('groupOwnerCheck', 'Group owner', true, [
            'entityOwnershipFactRetriever',
          ]),
        ]),
      ),
      http.get(FACTS, ({ request }) => {
        asked.push(new URL(request.url).search);
        return HttpResponse.json({
          [SWITCHYARD_FACT_RETRIEVER_ID]: {
            timestamp: '2026-12-07T10:00:00.000Z',
            facts: {
              worstRecommendation: 'NO_GO',
              noGoDays: 9,
              lowestReadinessScore: 41,
              lowestProgress: 62.46,
              worstDriftLevel: 'WARNING',
              openCriticalAlerts: 1,
              openHighAlerts: 0,
              worstApprovalState: 'PENDING',
            },
          },
        });
      }),
    );
    await renderEntityTab(<ScorecardCard />);
    expect(await screen.findByText('1 of 2 checks pass')).toBeInTheDocument();
    const failing = screen.getByTestId('scorecard-check-switchyardNoLongNoGo');
    expect(
      within(failing).getByText(
        'No migration in NO_GO for more than 7 days: fails',
      ),
    ).toBeInTheDocument();
    expect(within(failing).getByTitle('Fails')).toBeInTheDocument();
    expect(
      screen.getByText('Drift below warning after cutover: passes'),
    ).toBeInTheDocument();
    // Checks of other retrievers belong to other scorecards.
    expect(screen.queryByText(/Group owner/)).toBeNull();
    expect(
      screen.getByTestId('scorecard-fact-worstRecommendation'),
    ).toHaveTextContent('NO GO');
    expect(screen.getByTestId('scorecard-fact-noGoDays')).toHaveTextContent(
      '9',
    );
    expect(
      screen.getByTestId('scorecard-fact-lowestProgress'),
    ).toHaveTextContent('62.5%');
    expect(asked[0]).toContain('entity=component%3Adefault%2Forders-service');
  });

  it('says when Tech Insights has no facts yet, and shows its errors', async () => {
    server.use(
      http.post(CHECKS, () => HttpResponse.json([])),
      http.get(FACTS, () => HttpResponse.json({})),
    );
    const first = await renderEntityTab(<ScorecardCard />);
    expect(
      await screen.findByText(/No facts about this entity's migrations yet/),
    ).toBeInTheDocument();
    first.unmount();

    server.use(
      http.post(CHECKS, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'Unauthorized' } },
          { status: 403 },
        ),
      ),
    );
    await renderEntityTab(<ScorecardCard />);
    expect(
      await screen.findByText(/Could not load the scorecard/),
    ).toBeInTheDocument();
  });
});
