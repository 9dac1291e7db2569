import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import {
  assertDemoSignInAllowed,
  isLoopbackHost,
  publicExposure,
} from './demoSignInGuard';

const configWith = (listen: unknown, extra: Record<string, unknown> = {}) =>
  new ConfigReader({
    backend: listen === undefined ? {} : { listen },
    auth: { providers: { demo: { users: ['alice'] } } },
    ...extra,
  });

describe('demo sign-in guard', () => {
  it.each(['127.0.0.1', '127.0.0.53', 'localhost', '::1', '::ffff:127.0.0.1'])(
    'counts %s as loopback',
    host => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each([
    '',
    '0.0.0.0',
    '::',
    '10.0.0.5',
    '192.168.1.20',
    'portal.example',
    '::ffff:10.0.0.5',
  ])('counts "%s" as reachable from other machines', host =>
    expect(isLoopbackHost(host)).toBe(false),
  );

  it.each([
    ['host 0.0.0.0', { port: 7007, host: '0.0.0.0' }, 'binds "0.0.0.0"'],
    ['host ::', { port: 7007, host: '::' }, 'binds "::"'],
    ['a LAN address', { port: 7007, host: '10.0.0.5' }, 'binds "10.0.0.5"'],
    ['the string form ":7007"', ':7007', 'binds every network interface'],
    ['the string form "7007"', '7007', 'binds every network interface'],
    ['no host at all', { port: 7007 }, 'binds every network interface'],
    ['no listen config', undefined, 'binds every network interface'],
  ])(
    'bypass: the demo provider on %s refuses to start, saying how to fix it',
    (_, listen, reason) => {
      const logger = mockServices.logger.mock();
      expect(() =>
        assertDemoSignInAllowed(
          'demo',
          configWith(listen),
          'development',
          logger,
        ),
      ).toThrow(
        new RegExp(
          `^Refusing to start: The demo sign-in provider .* as any demo user including operators, and backend.listen ${reason}.*set backend.listen.host to 127.0.0.1.*khal.demo.allowOnNetwork: true`,
        ),
      );
      expect(logger.warn).not.toHaveBeenCalled();
    },
  );

  it('bypass: guest sign-in with NODE_ENV=production refuses to start, even on loopback', () => {
    const config = configWith({ port: 7007, host: '127.0.0.1' });
    expect(() =>
      assertDemoSignInAllowed(
        'guest',
        config,
        'production',
        mockServices.logger.mock(),
      ),
    ).toThrow(
      /^Refusing to start: The guest sign-in provider .* and NODE_ENV is "production"/,
    );
  });

  it.each([
    { port: 7007, host: '127.0.0.1' },
    { port: 7007, host: 'localhost' },
    { port: 7007, host: '::1' },
    '127.0.0.1:7007',
  ])('lets the demo provider start quietly on loopback: %j', listen => {
    const logger = mockServices.logger.mock();
    expect(() =>
      assertDemoSignInAllowed(
        'demo',
        configWith(listen),
        'development',
        logger,
      ),
    ).not.toThrow();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('starts beyond loopback and in production when khal.demo.allowOnNetwork is true, with a warning each time', () => {
    const config = configWith(':7007', {
      khal: { demo: { allowOnNetwork: true } },
    });
    const logger = mockServices.logger.mock();
    for (const env of ['development', 'production']) {
      expect(() =>
        assertDemoSignInAllowed('demo', config, env, logger),
      ).not.toThrow();
    }
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenLastCalledWith(
      expect.stringMatching(
        /The demo sign-in provider .* NODE_ENV is "production" and backend.listen binds every network interface.*khal.demo.allowOnNetwork is true/,
      ),
    );
  });

  it('still refuses with khal.demo.allowOnNetwork: false', () => {
    const config = configWith(':7007', {
      khal: { demo: { allowOnNetwork: false } },
    });
    expect(() =>
      assertDemoSignInAllowed(
        'demo',
        config,
        'development',
        mockServices.logger.mock(),
      ),
    ).toThrow(/Refusing to start/);
  });

  it('finds nothing exposed on the embedded default', () => {
    expect(
      publicExposure(configWith({ port: 7007, host: '127.0.0.1' }), 'test'),
    ).toEqual([]);
  });
});
