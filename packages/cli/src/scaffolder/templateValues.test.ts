import { CliError } from '../exitCodes';
import { parseParams, templateValues } from './templateValues';

const schema = {
  steps: [
    {
      title: 'The app',
      schema: {
        required: ['name', 'owner', 'ladder'],
        properties: {
          name: {
            title: 'Name',
            type: 'string',
            pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
            description: 'Lower-case letters, digits and "-".',
          },
          owner: {
            title: 'Owner',
            type: 'string',
            description: 'The team that owns the app.',
          },
          ladder: {
            title: 'Ladder',
            type: 'string',
            default: 'khal',
            enum: ['khal', 'parity'],
          },
        },
      },
    },
    {
      title: 'Settings',
      schema: {
        properties: {
          settings: { type: 'array', default: [] },
          replicas: { type: 'integer' },
          public: { type: 'boolean' },
        },
      },
    },
  ],
};

function error(run: () => unknown): CliError {
  try {
    run();
  } catch (e) {
    return e as CliError;
  }
  throw new Error('expected an error');
}

describe('template values for khal new', () => {
  it('applies defaults and types the given params by the form', () => {
    expect(
      templateValues(schema, {
        name: 'orders-api',
        owner: 'group:default/fdes',
        settings: '[{"name":"DATABASE_URL","secret":true}]',
        replicas: '2',
        public: 'false',
      }),
    ).toEqual({
      name: 'orders-api',
      owner: 'group:default/fdes',
      ladder: 'khal',
      settings: [{ name: 'DATABASE_URL', secret: true }],
      replicas: 2,
      public: false,
    });
  });

  it('lists each missing required field with the form’s title and description', () => {
    const e = error(() => templateValues(schema, { name: 'orders-api' }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('the template needs --param owner=…');
    expect(e.details).toEqual(['  owner: Owner — The team that owns the app.']);
  });

  it('refuses unknown keys, values outside an enum or pattern, and badly typed values, saying how to fix each', () => {
    expect(
      error(() =>
        templateValues(schema, { name: 'a', owner: 'o', colour: 'x' }),
      ).message,
    ).toMatch(
      /no parameter "colour"; it takes: name, owner, ladder, settings, replicas, public/,
    );
    expect(
      error(() =>
        templateValues(schema, { name: 'a', owner: 'o', ladder: 'x' }),
      ).message,
    ).toBe('--param ladder: use one of khal, parity');
    expect(
      error(() => templateValues(schema, { name: 'Orders API', owner: 'o' }))
        .message,
    ).toMatch(
      /"Orders API" does not fit the template's rule \(Lower-case letters/,
    );
    expect(
      error(() =>
        templateValues(schema, { name: 'a', owner: 'o', replicas: '1.5' }),
      ).message,
    ).toBe('--param replicas: use an integer');
    expect(
      error(() =>
        templateValues(schema, { name: 'a', owner: 'o', settings: '{' }),
      ).message,
    ).toMatch(/use JSON for this array/);
    expect(
      error(() =>
        templateValues(schema, { name: 'a', owner: 'o', public: 'yes' }),
      ).message,
    ).toBe('--param public: use true or false');
  });

  it('parses key=value pairs, keeping "=" inside values', () => {
    expect(parseParams(['a=b=c', 'description=x y'])).toEqual({
      a: 'b=c',
      description: 'x y',
    });
    expect(error(() => parseParams(['=x'])).exitCode).toBe(2);
    expect(error(() => parseParams(['novalue'])).message).toMatch(
      /--param takes key=value/,
    );
  });
});
