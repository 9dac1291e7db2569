import { Redactor, isSecretKey } from './Redactor';

// Test fixtures only: every token, key and PEM block below is fake and shaped like a real
// credential on purpose, so the redactor is exercised on realistic input.
describe('Redactor', () => {
  const r = new Redactor({ secretSettingNames: ['DATABASE_URL'] });

  it.each([
    ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', 'eyJhbGciOiJIUzI1NiJ9'],
    ['github', 'pushed with ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghij'],
    ['github pat', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'github_pat_11ABC'],
    ['aws', 'key AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['slack', 'xoxb-123456789012-abcdefghijkl', 'xoxb-1234'],
    ['bearer', 'curl -H "Authorization: Bearer s3cr3t-t0ken-value"', 's3cr3t-t0ken'],
    ['url password', 'postgres://orders:hunter2@db:5432/orders', 'hunter2'],
    ['env', 'API_KEY=abc123xyz\nLOG_LEVEL=info', 'abc123xyz'],
    ['yaml', 'password: correct horse', 'horse'],
    ['json', '{"client_secret": "shhh-very-secret", "name": "x"}', 'shhh-very'],
    ['manifest secret', 'DATABASE_URL=mysql://db/orders', 'mysql://db/orders'],
    [
      'pem',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEA',
    ],
  ])('removes %s', (_name, input, secret) => {
    const out = r.text(input);
    expect(out.value).not.toContain(secret);
    expect(out.value).toContain('[REDACTED:');
    expect(out.redactions).toBeGreaterThan(0);
  });

  it('keeps ordinary text', () => {
    const text = 'build ok in 3.2s; LOG_LEVEL=info; author: alice';
    expect(r.text(text)).toEqual({ value: text, redactions: 0 });
  });

  it('redacts structured data by key and by shape', () => {
    const out = r.data({ clean: true, target: 'dev', token: 'abc', nested: { note: 'AKIAIOSFODNN7EXAMPLE' } });
    expect(out.value).toEqual({
      clean: true,
      target: 'dev',
      token: '[REDACTED:secret-value]',
      nested: { note: '[REDACTED:aws-access-key]' },
    });
    expect(out.redactions).toBe(2);
  });

  it('knows secret keys', () => {
    expect(isSecretKey('GITHUB_TOKEN')).toBe(true);
    expect(isSecretKey('author')).toBe(false);
    expect(isSecretKey('LOG_LEVEL')).toBe(false);
  });
});
