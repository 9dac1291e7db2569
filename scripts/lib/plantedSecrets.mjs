// Planted secrets for the leak tests: obviously fake values (every one contains "PLANTED" or
// "planted" and "FAKE"/"fake"), each shaped so the ladder's Redactor recognises it in the
// context given by `inText` (plugins/ladder-backend/src/evidence/Redactor.ts). The browser
// test (test/e2e/secrets.spec.ts) plants them through every input; scripts/scan-leaks.mjs then
// fails when any of them, or its base64 or URL-encoded form, shows up in a log, a screenshot's
// page text, a test report or the throw-away database.

/**
 * `value` is what must never come back; `inText` is the value in a context the Redactor
 * recognises on its own (a token shape, a URL password, a secret-named key).
 */
export const plantedSecrets = [
  {
    id: 'github-token',
    value: 'ghp_KHALplantedFAKEtoken0000000000000000',
    inText: v => `GITHUB_TOKEN=${v}`,
  },
  {
    id: 'aws-access-key',
    value: 'AKIAKHALPLANTED0FAKE',
    inText: v => `using aws key ${v}`,
  },
  {
    id: 'jwt',
    // {"khal":"planted"}.{"sub":"fake-leak"}.KHAL_PLANTED_FAKE_SIG
    value:
      'eyJraGFsIjoicGxhbnRlZCJ9.eyJzdWIiOiJmYWtlLWxlYWsifQ.S0hBTF9QTEFOVEVEX0ZBS0VfU0lH',
    inText: v => `session jwt ${v}`,
  },
  {
    id: 'slack-token',
    value: 'xoxb-000000000000-KHALplantedFAKEslack',
    inText: v => `notify via ${v}`,
  },
  {
    id: 'bearer-token',
    value: 'KHALplantedFAKEbearer.0000~token',
    inText: v => `curl -H "Authorization: Bearer ${v}"`,
  },
  {
    id: 'url-password',
    value: 'KHALplantedFAKEdbPassw0rd',
    inText: v => `postgres://billing:${v}@db.internal:5432/billing`,
  },
  {
    id: 'secret-key-value',
    // Characters that URL-encoding and base64 change, so those forms are really searched for.
    value: 'KHAL+planted/FAKE=client%secret',
    inText: v => `client_secret=${v}`,
  },
  {
    id: 'private-key',
    value: 'MIIEKHALplantedFAKEprivateKEYmaterial0000',
    inText: v =>
      `-----BEGIN RSA PRIVATE KEY-----\n${v}\n-----END RSA PRIVATE KEY-----`,
  },
  {
    id: 'password-field',
    value: 'KHALplantedFAKEpassword-hunter2',
    inText: v => `password: ${v}`,
  },
];

/**
 * A value of a setting the manifest declares `secret` (billing-worker's DATABASE_URL): the
 * Redactor only knows it by that name, so it is planted where the name is in scope (evidence of
 * billing-worker, the cluster's env). Not shaped like any token.
 */
export const plantedSettingValue = {
  id: 'declared-secret-setting',
  setting: 'DATABASE_URL',
  value: 'khal-planted-fake-dsn-value-0000',
};

/** Every planted value, with its id. */
export const allPlantedValues = [
  ...plantedSecrets.map(s => ({ id: s.id, value: s.value })),
  { id: plantedSettingValue.id, value: plantedSettingValue.value },
];

/** All planted secrets in their recognisable contexts, one per line (for a text field). */
export function plantedText(intro = 'planted fake secrets') {
  return [intro, ...plantedSecrets.map(s => s.inText(s.value))].join('\n');
}

/**
 * Stable substrings of the base64 encodings of `value`, whatever its offset in the encoded
 * text (the 3 alignments), in standard and URL-safe alphabets.
 */
export function base64Forms(value) {
  const forms = new Set();
  const bytes = Buffer.from(value, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64').replace(/=+$/, '');
    // The first ceil(shift*4/3) characters depend on the preceding bytes, the last 1-3 on the
    // following ones: keep the part that depends on `value` alone.
    const start = Math.ceil((shift * 4) / 3);
    const fullGroups = Math.floor((shift + bytes.length) / 3) * 4;
    const stable = encoded.slice(start, fullGroups);
    if (stable.length >= 16) {
      forms.add(stable);
      forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

/** The forms of one planted value to search for: raw, URL-encoded, base64. */
export function searchForms(value) {
  const forms = new Map([[value, 'raw']]);
  const encodings = [
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, '+'),
    encodeURI(value),
  ];
  for (const e of encodings) if (!forms.has(e)) forms.set(e, 'url-encoded');
  for (const b of base64Forms(value)) if (!forms.has(b)) forms.set(b, 'base64');
  return forms;
}
