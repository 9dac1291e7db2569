import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { ENTITY_REF, changes, rungViews } from '../../__testUtils__/fixtures';
import { mockLadderApi } from '../../__testUtils__/mockLadderApi';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { ChangeView } from './ChangeView';
import { CompareRungs } from './CompareRungs';

const titles: Record<string, string> = {
  dev: 'Shared dev',
  hml: 'Customer HML',
};
const rungTitle = (id: string) => titles[id] ?? id;

describe('ChangeView', () => {
  it('shows the ref range with its commits, the manifest diff and the settings the target needs', async () => {
    const api = mockLadderApi();
    await renderWithApis(
      <ChangeView
        source={{
          entityRef: ENTITY_REF,
          fromRef: '9f8e7d6c5b4a',
          toRef: 'a1b2c3d',
          target: 'hml',
        }}
        rungTitle={rungTitle}
      />,
      { ladderApi: api },
    );
    expect(await screen.findByTestId('change-range')).toHaveTextContent(
      'From Shared dev 9f8e7d6 to Customer HML a1b2c3d; settings judged for Customer HML.',
    );
    expect(api.getChanges).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      fromRef: '9f8e7d6c5b4a',
      toRef: 'a1b2c3d',
      target: 'hml',
    });

    const commits = screen.getByRole('list', {
      name: 'Commits in the range, newest first',
    });
    const items = within(commits).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(
      'a1b2c3dAdd the payments gateway setting — Alice Doe',
    );
    expect(items[1]).toHaveTextContent('bbbbcccLog requests at info — Sam Roe');

    const manifest = screen.getByRole('region', { name: 'Manifest diff' });
    expect(manifest).toHaveTextContent(
      'Setting added: PAYMENTS_API_KEY (required, secret)',
    );
    expect(manifest).toHaveTextContent('Setting removed: LEGACY_FLAG');
    expect(manifest).toHaveTextContent(
      'Setting changed: LOG_LEVEL — required false → true',
    );
    expect(manifest).toHaveTextContent('Runtime runtime.port: 8080 → 8081');

    const settings = screen.getByRole('region', {
      name: 'Settings for Customer HML',
    });
    expect(within(settings).getByRole('alert')).toHaveTextContent(
      'Required but not supplied on Customer HML: PAYMENTS_API_KEY.',
    );
    expect(
      within(settings).getByRole('listitem', {
        name: 'PAYMENTS_API_KEY: required, newly required, not supplied',
      }),
    ).toBeInTheDocument();
    expect(
      within(settings).getByRole('listitem', {
        name: 'DATABASE_URL: required, supplied',
      }),
    ).toBeInTheDocument();
    expect(
      within(settings).getByRole('listitem', {
        name: 'LOG_LEVEL: required, newly required, supplied: unknown for this rung',
      }),
    ).toBeInTheDocument();
  });

  it('loads a promotion’s changes by its id', async () => {
    const api = mockLadderApi();
    await renderWithApis(
      <ChangeView source={{ promotionId: 'p-1' }} rungTitle={rungTitle} />,
      { ladderApi: api },
    );
    await screen.findByTestId('change-view');
    expect(api.getPromotionChanges).toHaveBeenCalledWith('p-1');
    expect(api.getChanges).not.toHaveBeenCalled();
  });

  it('says why the commits or the manifest cannot be shown', async () => {
    const api = mockLadderApi({
      getChanges: jest.fn().mockResolvedValue({
        ...changes,
        commits: null,
        commitsUnavailableReason:
          'the repository of orders-api is not a local git repository',
        manifestDiff: null,
        manifestUnavailableReason:
          'the manifest at a1b2c3d cannot be compared: khal-app.json is missing',
        settingsForTarget: [],
      }),
    });
    await renderWithApis(
      <ChangeView
        source={{ entityRef: ENTITY_REF, from: 'hml', to: 'dev' }}
        rungTitle={rungTitle}
      />,
      {
        ladderApi: api,
      },
    );
    expect(
      await screen.findByText(
        /The commit list is not available: the repository of orders-api is not a local git repository/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'the manifest at a1b2c3d cannot be compared: khal-app.json is missing',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Unknown: the manifest cannot be read.'),
    ).toBeInTheDocument();
  });

  it('says when both sides are the same and nothing changed in the manifest', async () => {
    const api = mockLadderApi({
      getChanges: jest.fn().mockResolvedValue({
        ...changes,
        commits: [],
        manifestDiff: {
          settingsAdded: [],
          settingsRemoved: [],
          settingsChanged: [],
          runtimeChanges: [],
          identityChanges: [],
          deployChanges: [],
        },
        settingsForTarget: [],
      }),
    });
    await renderWithApis(
      <ChangeView
        source={{ entityRef: ENTITY_REF, from: 'hml', to: 'dev' }}
        rungTitle={rungTitle}
      />,
      {
        ladderApi: api,
      },
    );
    expect(
      await screen.findByText('No commits: both sides are the same ref.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'The manifest did not change: same settings, runtime and deployment.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the backend’s refusal and retries', async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'nothing is placed on Customer HML: there is no ref to compare Shared dev with',
          },
          response: { statusCode: 400 },
        }),
        {
          status: 400,
          statusText: 'Bad Request',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );
    const api = mockLadderApi({
      getChanges: jest
        .fn()
        .mockRejectedValueOnce(refusal)
        .mockResolvedValueOnce(changes),
    });
    await renderWithApis(
      <ChangeView
        source={{ entityRef: ENTITY_REF, from: 'dev', to: 'hml' }}
        rungTitle={rungTitle}
      />,
      {
        ladderApi: api,
      },
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the changes');
    expect(alert).toHaveTextContent(
      'nothing is placed on Customer HML: there is no ref to compare Shared dev with',
    );
    await userEvent.click(
      within(alert).getByRole('button', { name: 'Try again' }),
    );
    expect(await screen.findByTestId('change-view')).toBeInTheDocument();
    expect(api.getChanges).toHaveBeenCalledTimes(2);
  });
});

describe('CompareRungs', () => {
  it('compares the two chosen rungs, by default the highest placed rung with the placed rung below it', async () => {
    const api = mockLadderApi();
    await renderWithApis(
      <CompareRungs entityRef={ENTITY_REF} rungs={rungViews} />,
      { ladderApi: api },
    );
    expect(api.getChanges).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Compare' }));
    await screen.findByTestId('change-view');
    expect(api.getChanges).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      from: 'dev',
      to: 'local',
    });

    await userEvent.click(screen.getByLabelText('To (newer)'));
    await userEvent.click(
      await screen.findByRole('option', {
        name: /Customer HML — nothing placed/,
      }),
    );
    expect(
      screen.getByText('nothing is placed here to compare'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Compare' })).toBeDisabled();
    await waitFor(() => expect(api.getChanges).toHaveBeenCalledTimes(1));
  });
});
