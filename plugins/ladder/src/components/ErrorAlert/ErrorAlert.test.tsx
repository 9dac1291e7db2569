import { renderInTestApp } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ErrorAlert } from './ErrorAlert';

/** What a zod parse of a drifted answer throws: its message is the JSON list of issues. */
const zodLike = new Error(
  JSON.stringify([
    {
      code: 'invalid_type',
      expected: 'nonoptional',
      path: ['manifestDiff', 'runtimeChanges', 0, 'from'],
      message: 'Invalid input: expected nonoptional, received undefined',
    },
  ]),
);

async function responseError(
  status: number,
  statusText: string,
  message: string,
) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'ConflictError', message },
        response: { statusCode: status },
      }),
      {
        status,
        statusText,
        headers: { 'content-type': 'application/json' },
      },
    ),
  );
}

describe('ErrorAlert', () => {
  it('bypass: raw zod JSON reaches the page (it stays behind Details)', async () => {
    await renderInTestApp(
      <ErrorAlert title="Could not load the changes" error={zodLike} />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Could not load the changes');
    expect(alert).toHaveTextContent(
      'The answer of the ladder backend could not be read.',
    );
    expect(alert).toHaveTextContent(
      'tell the platform team and include the details below',
    );
    expect(alert).not.toHaveTextContent(/nonoptional|invalid_type|\{/);

    await userEvent.click(screen.getByRole('button', { name: 'Details' }));
    expect(await screen.findByTestId('error-details')).toHaveTextContent(
      'expected nonoptional, received undefined',
    );
  });

  it("shows the backend's own sentence and what to do about the status", async () => {
    const error = await responseError(
      409,
      'Conflict',
      'an open promotion of orders-api to hml exists',
    );
    await renderInTestApp(
      <ErrorAlert
        title="Could not request the promotion"
        error={error}
        onRetry={() => {}}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(
      'an open promotion of orders-api to hml exists',
    );
    expect(alert).toHaveTextContent(
      'Reload the page to see its current state, then try again.',
    );
    expect(
      screen.getByRole('button', { name: 'Try again' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('error-details')).not.toBeInTheDocument();
  });

  it('keeps a JSON message from the backend off the page too', async () => {
    const error = await responseError(
      400,
      'Bad Request',
      '{"issues":[{"path":"body.ref","code":"too_big"}]}',
    );
    await renderInTestApp(
      <ErrorAlert title="Could not record the evidence" error={error} />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(
      'The ladder backend refused the request (400).',
    );
    expect(alert).not.toHaveTextContent('too_big');
  });
});
