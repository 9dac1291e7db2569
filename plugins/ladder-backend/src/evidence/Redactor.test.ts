import { ordinaryTexts, plantedCorpus } from '../__testUtils__/plantedCorpus';
import { MAX_FINDINGS, Redactor, isSecretKey } from './Redactor';
import { presetSpans } from './presetScan';

// Every token, key and PEM block in the corpus is fake and shaped like a real credential.
describe('Redactor', () => {
  const r = new Redactor();

  it('leaves nothing behind on the process-wide performance timeline (secretlint profiles by default)', async () => {
    const marks = () => performance.getEntriesByType('mark').length;
    await r.text(`warm up ghp_${'A'.repeat(36)}`);
    const before = marks();
    for (let i = 0; i < 20; i++) {
      await r.text(`run ${i}: token ghp_${'B'.repeat(36)} and more text`);
    }
    expect(marks()).toBe(before);
  });

  it('holds at least 40 formats, the nine of issue 17 among them', () => {
    expect(plantedCorpus.length).toBeGreaterThanOrEqual(40);
    expect(plantedCorpus.filter(f => f.source === 'issue-17')).toHaveLength(9);
    expect(
      plantedCorpus.filter(f => f.source === 'preset').length,
    ).toBeGreaterThanOrEqual(20);
  });

  it.each(plantedCorpus.map(f => [f.name, f] as const))(
    'removes %s',
    async (_name, format) => {
      const out = await r.text(format.text);
      for (const secret of format.secrets)
        expect(out.value).not.toContain(secret);
      for (const kept of format.keep ?? []) expect(out.value).toContain(kept);
      expect(out.value).toContain('[REDACTED:');
      expect(out.redactions).toBeGreaterThan(0);
    },
  );

  // The preset entries are there to prove the library does the work: secretlint alone finds them.
  it.each(
    plantedCorpus
      .filter(f => f.source === 'preset')
      .map(f => [f.name, f] as const),
  )('secretlint preset alone finds the %s', async (_name, format) => {
    const spans = await presetSpans(format.text);
    expect(spans.length).toBeGreaterThan(0);
  });

  it.each(ordinaryTexts.map(t => [t]))(
    'keeps ordinary text unchanged: %s',
    async text => {
      expect(await r.text(text)).toEqual({ value: text, redactions: 0 });
    },
  );

  it('redacts the value of a setting the manifest marks secret, and nothing else', async () => {
    const withManifest = r.withSecretSettings(['DATABASE_URL']);
    const text =
      'DATABASE_URL=FAKE-manifest-dsn\nDATABASE_POOL=4\n- name: DATABASE_URL\n  value: FAKE-manifest-env';
    const out = await withManifest.text(text);
    expect(out.value).not.toContain('FAKE-manifest-dsn');
    expect(out.value).not.toContain('FAKE-manifest-env');
    expect(out.value).toContain('DATABASE_POOL=4');
    // the base redactor does not know the setting: the manifest is what makes it secret
    expect((await r.text('DATABASE_URL=FAKE-manifest-dsn')).value).toContain(
      'FAKE-manifest-dsn',
    );
    expect(withManifest.isSecretKey('database_url')).toBe(true);
  });

  it('redacts structured data by key (scalars, arrays, nested objects, env pairs) and by shape', async () => {
    const out = await r.data({
      clean: true,
      target: 'dev',
      token: 'FAKE-data-token',
      passwords: ['FAKE-data-a', 'FAKE-data-b'],
      credentials: { db: { user: 'orders', pin: 1234 } },
      env: [
        { name: 'DB_PASSWORD', value: 'FAKE-data-env' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      note: `quoted again: FAKE-data-token, and AKIA${'FAKE'}ABCDEFGH2345`,
      author: 'bob',
    });
    const text = JSON.stringify(out.value);
    for (const s of [
      'FAKE-data-token',
      'FAKE-data-a',
      'FAKE-data-b',
      'orders',
      '1234',
      'FAKE-data-env',
      'AKIAFAKE',
    ]) {
      expect(text).not.toContain(s);
    }
    expect(out.value).toMatchObject({
      clean: true,
      target: 'dev',
      author: 'bob',
      env: [{}, { value: 'info' }],
    });
    expect(out.redactions).toBeGreaterThanOrEqual(8);
  });

  it('knows secret keys in any case and separator, and not look-alikes', () => {
    for (const k of [
      'GITHUB_TOKEN',
      'DB Password',
      'admin_key',
      'KHALA_ADMIN_KEY',
      'apiKey',
      'x-auth-token',
      'db.passwd',
      'SENTRY_DSN',
      'connection-string',
      'Private Key',
      'client_secret',
      'pwd',
    ]) {
      expect([k, isSecretKey(k)]).toEqual([k, true]);
    }
    for (const k of [
      'author',
      'authority',
      'authors',
      'LOG_LEVEL',
      'keyboard',
      'name',
      'reset the token for bob now',
      'path',
      'monkey',
    ]) {
      expect([k, isSecretKey(k)]).toEqual([k, false]);
    }
  });

  it('counts redactions and keeps the key of a redacted value', async () => {
    const out = await r.text('API_KEY=FAKE-count-1\npassword: FAKE-count-2');
    expect(out.value).toBe(
      'API_KEY=[REDACTED:secret-value]\npassword: [REDACTED:secret-value]',
    );
    expect(out.redactions).toBe(2);
  });

  it('fails closed on a text with more findings than MAX_FINDINGS: redacts it whole', async () => {
    const flood = Array.from(
      { length: MAX_FINDINGS + 10 },
      (_, i) => `password=FAKE-flood-${i}`,
    ).join('\n');
    const out = await r.text(flood);
    expect(out.value).toBe(`[REDACTED:more-than-${MAX_FINDINGS}-secrets]`);
    // just under the limit, each finding is redacted on its own and the keys stay
    const many = Array.from(
      { length: 100 },
      (_, i) => `password=FAKE-many-${i}`,
    ).join('\n');
    expect((await r.text(many)).redactions).toBe(100);
  });

  it('does not redact its own markers again', async () => {
    const once = await r.text('password=FAKE-twice');
    expect(await r.text(once.value)).toEqual({
      value: once.value,
      redactions: 0,
    });
  });
});
