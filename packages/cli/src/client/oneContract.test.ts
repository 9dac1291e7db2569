import fs from 'node:fs';
import path from 'node:path';
import { ladderApiOperations } from '@khal/plugin-ladder-common/spec';

/*
 * One contract: the CLI reaches the ladder API only through the client generated from the
 * OpenAPI spec. This test reads the CLI's sources and fails on a route written by hand (a path
 * literal like '/promotions/…' or '/api/ladder/…' outside a generated-client call), a call to a
 * path the spec lacks, a raw fetch outside the client wrapper, or a hand-written response or
 * request type imported instead of the spec's.
 */

// eslint-disable-next-line no-restricted-syntax
const SRC = path.resolve(__dirname, '..');
/** The wrapper that knows where the API is mounted; the only file allowed to say so. */
const WRAPPER = path.join('client', 'portalClient.ts');
// eslint-disable-next-line no-restricted-syntax
const HAND_WRITTEN_API = path.resolve(
  __dirname,
  '../../../../plugins/ladder-common/src/api',
);

const operations = new Set(ladderApiOperations());
const firstSegments = new Set(
  [...operations].map(op => op.split(' ')[1].split('/')[1]),
);

/** Names of the hand-written (zod) request and response types and schemas in ladder-common. */
function handWrittenApiNames(): Set<string> {
  const names = new Set<string>();
  const responses = fs.readFileSync(
    path.join(HAND_WRITTEN_API, 'responses.ts'),
    'utf8',
  );
  for (const m of responses.matchAll(/^export (?:const|type) (\w+)/gm))
    names.add(m[1]);
  const requests = fs.readFileSync(
    path.join(HAND_WRITTEN_API, 'requests.ts'),
    'utf8',
  );
  for (const m of requests.matchAll(/^export (?:const|type) (\w+)/gm))
    if (/Request|Query/.test(m[1])) names.add(m[1]);
  return names;
}

function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\s\/\/\s.*$/gm, '');
}

/** What in one source file goes around the generated client; empty when nothing does. */
function contractViolations(file: string, source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  const calls = new Set<number>();
  for (const m of code.matchAll(
    /\.(GET|POST|PUT|PATCH|DELETE)\(\s*(['"`])([^'"`]*)\2/g,
  )) {
    calls.add(m.index! + m[0].length - m[3].length - 2);
    if (!operations.has(`${m[1]} ${m[3]}`))
      found.push(`${file}: ${m[1]} ${m[3]} is not an operation of the spec`);
  }
  for (const m of code.matchAll(/(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g)) {
    const text = m[2];
    if (calls.has(m.index!)) continue;
    if (text.includes('/api/ladder') && !file.endsWith(WRAPPER))
      found.push(`${file}: '${text}' names the ladder API's mount by hand`);
    const segment = /^\/([a-z-]+)/.exec(text)?.[1];
    if (segment && firstSegments.has(segment))
      found.push(
        `${file}: '${text}' is an API path outside a generated-client call`,
      );
  }
  if (/\bfetch\(/.test(code) && !file.endsWith(WRAPPER))
    found.push(`${file}: calls fetch( itself instead of the generated client`);
  const banned = handWrittenApiNames();
  for (const m of code.matchAll(
    /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'@khal\/plugin-ladder-common'/g,
  )) {
    for (const name of m[1].split(',').map(
      n =>
        n
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0],
    ))
      if (banned.has(name))
        found.push(
          `${file}: imports the hand-written ${name}; use the spec's type (client/contract.ts)`,
        );
  }
  return found;
}

function cliSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'testing' ? [] : cliSources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)
      ? [full]
      : [];
  });
}

describe('the CLI speaks one contract: the client generated from the OpenAPI spec', () => {
  it('finds each way around the generated client (so the check below can fail)', () => {
    // How the CLI called the API before it used the generated client.
    expect(
      contractViolations(
        'commands/approvals.ts',
        `const list = await clientFor(opts, io).get('/promotions', {
          query: { awaitingMyApproval: 'true' },
          schema: promotionListResponseSchema,
        });
        return client.post(\`/promotions/\${promotionId}/deploy-result\`, { body });`,
      ),
    ).toEqual([
      "commands/approvals.ts: '/promotions' is an API path outside a generated-client call",
      "commands/approvals.ts: '/promotions/${promotionId}/deploy-result' is an API path outside a generated-client call",
    ]);
    expect(
      contractViolations(
        'commands/doctor.ts',
        "await fetch(`${portal}/api/ladder/ladders`, { method: 'GET' });",
      ),
    ).toEqual([
      "commands/doctor.ts: '${portal}/api/ladder/ladders' names the ladder API's mount by hand",
      'commands/doctor.ts: calls fetch( itself instead of the generated client',
    ]);
    expect(
      contractViolations(
        'commands/x.ts',
        "import { Promotion, promotionSchema, toolsOf } from '@khal/plugin-ladder-common';\napi.GET('/promotions/{id}/history');",
      ),
    ).toEqual([
      'commands/x.ts: GET /promotions/{id}/history is not an operation of the spec',
      "commands/x.ts: imports the hand-written Promotion; use the spec's type (client/contract.ts)",
      "commands/x.ts: imports the hand-written promotionSchema; use the spec's type (client/contract.ts)",
    ]);
    expect(
      contractViolations(
        'commands/ok.ts',
        "// GET '/promotions' is what this reads\napi.GET('/promotions/{id}', { params: { path: { id } } });",
      ),
    ).toEqual([]);
  });

  it('holds for every source file of the CLI', () => {
    const files = cliSources(SRC);
    expect(files.length).toBeGreaterThan(20);
    const violations = files.flatMap(file =>
      contractViolations(
        path.relative(SRC, file),
        fs.readFileSync(file, 'utf8'),
      ),
    );
    expect(violations).toEqual([]);
  });
});
