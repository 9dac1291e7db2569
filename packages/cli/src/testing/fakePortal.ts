import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request the fake portal received, for assertions on method, path, headers and body. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeAnswer {
  status?: number;
  body?: unknown;
  /** Drop the connection without answering, like a network blip. */
  drop?: boolean;
}

export type FakeRoute = FakeAnswer | ((req: RecordedRequest) => FakeAnswer);

export interface FakePortal {
  url: string;
  requests: RecordedRequest[];
  /** Sets (or replaces) the answer to `"METHOD /path"` (path without the query string). */
  route(key: string, answer: FakeRoute): void;
  close(): Promise<void>;
}

/**
 * A stand-in for the portal on 127.0.0.1:0 that serves contract-shaped JSON from a route table.
 * Unknown routes answer 404 the way Backstage does, so a wrong path shows up as a failing test.
 */
export async function startFakePortal(
  routes: Record<string, FakeRoute> = {},
): Promise<FakePortal> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      const route = table.get(`${recorded.method} ${recorded.path}`);
      let answer: FakeAnswer = {
        status: 404,
        body: {
          error: {
            name: 'NotFoundError',
            message: `no route ${recorded.method} ${recorded.path}`,
          },
        },
      };
      if (typeof route === 'function') answer = route(recorded);
      else if (route) answer = route;
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status ?? 200, {
        'content-type': 'application/json',
      });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (key, answer) => table.set(key, answer),
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Routes of a healthy portal that knows orders-api; tests replace single routes. */
export function healthyRoutes(
  fixtures: typeof import('./fixtures'),
): Record<string, FakeRoute> {
  return {
    'GET /api/ladder/ladders': { body: { items: [fixtures.ladder] } },
    'GET /api/ladder/entities/component/default/orders-api': {
      body: fixtures.entityLadder(),
    },
    'GET /api/ladder/plan': { body: fixtures.deployPlan() },
    'POST /api/ladder/evidence': req => {
      const b = req.body as {
        kind: string;
        rung: string;
        ref: string;
        summary: string;
        data?: Record<string, unknown>;
      };
      return {
        status: 201,
        body: fixtures.evidence({
          id: `ev-${b.kind}`,
          kind: b.kind,
          rungId: b.rung,
          ref: b.ref,
          summary: b.summary,
          data: b.data,
        }),
      };
    },
  };
}
