/**
 * Whether a key (of a JSON object, an env line, a YAML line, a command-line flag) names a secret.
 * Keys are split into words (separators `_ - . space /` and camelCase), then matched word by word,
 * so `DB Password`, `admin_key`, `KHALA_ADMIN_KEY`, `x-auth-token` and `apiKey` are secret while
 * `author`, `authority`, `keyboard` and `LOG_LEVEL` are not. No regular expression with a
 * quantifier ever sees the key: splitting is one pass over at most MAX_KEY_LENGTH characters.
 */

/** Keys longer than this are prose, not keys. */
export const MAX_KEY_LENGTH = 80;

/** One word that makes a key secret (plural `s` is stripped before the look-up). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'adminkey',
  'privatekey',
  'accesskey',
  'secretkey',
  'credential',
  'creds',
  'auth',
  'authorization',
  'authtoken',
  'dsn',
  'connectionstring',
  'connstr',
  'cookie',
  'sessionid',
  'dockerconfigjson',
  'dockercfg',
  'pat',
]);

/** Two consecutive words that make a key secret: `api key`, `admin-key`, `connection.string`. */
const SECRET_PAIRS = new Set([
  'api key',
  'admin key',
  'private key',
  'access key',
  'secret key',
  'signing key',
  'encryption key',
  'master key',
  'account key',
  'service key',
  'license key',
  'connection string',
  'session id',
  'client secret',
]);

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Splits `KHALA_ADMIN_KEY`, `DB Password`, `apiKey`, `x-auth-token` into lower-case words. */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let current = '';
  const flush = () => {
    if (current) words.push(current.toLowerCase());
    current = '';
  };
  for (let i = 0; i < key.length && i < MAX_KEY_LENGTH; i++) {
    const c = key.charCodeAt(i);
    if (isUpper(c) || isLower(c) || isDigit(c)) {
      // camelCase boundary: a capital after a lower-case letter starts a word (apiKey → api, key)
      if (
        isUpper(c) &&
        current &&
        isLower(current.charCodeAt(current.length - 1))
      )
        flush();
      current += key[i];
    } else {
      flush();
    }
  }
  flush();
  return words;
}

const singular = (w: string) =>
  w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w;

/** Words so distinctive that they count inside a longer word too: PGPASSWORD, MYSQL_ROOTPASSWORD. */
const SECRET_STEMS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'privatekey',
  'accesskey',
];

function wordIsSecret(w: string): boolean {
  return (
    SECRET_WORDS.has(w) ||
    SECRET_WORDS.has(singular(w)) ||
    SECRET_STEMS.some(s => w.includes(s))
  );
}

/**
 * Whether `key` names a secret. When the key holds spaces it reads like prose ("DB Password",
 * "reset the token for bob"), so only a secret word (or pair) at its end counts; keys written
 * with `_ - .` count with a secret word anywhere (`DB_PASSWORD_FILE`).
 */
export function isSecretKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  const words = keyWords(key);
  if (words.length === 0) return false;
  const spaced = key.trim().includes(' ');
  const first = spaced ? words.length - 1 : 0;
  for (let i = first; i < words.length; i++) {
    if (wordIsSecret(words[i])) return true;
  }
  const firstPair = spaced ? words.length - 2 : 0;
  for (let i = Math.max(0, firstPair); i + 1 < words.length; i++) {
    if (SECRET_PAIRS.has(`${words[i]} ${singular(words[i + 1])}`)) return true;
  }
  return false;
}

/** A key test that also knows the names of settings a manifest declares secret (any case). */
export function secretKeyTest(
  settingNames: Iterable<string>,
): (key: string) => boolean {
  const names = new Set([...settingNames].map(n => n.toLowerCase()));
  if (names.size === 0) return isSecretKey;
  return key => names.has(key.trim().toLowerCase()) || isSecretKey(key);
}
