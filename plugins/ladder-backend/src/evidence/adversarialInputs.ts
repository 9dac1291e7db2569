/**
 * Adversarial inputs for the linear-time tests: each is a prefix of one of the patterns the
 * redactor (ours or secretlint's preset) looks for, repeated to the given size, so that a
 * backtracking pattern would retry from every position (`pwdpwdpwd…` held the backend 49 s).
 */
export const ADVERSARIAL_PREFIXES: string[] = [
  'pwd',
  'password=',
  'password: ',
  'password:\n',
  '"password": "',
  '"password": [',
  '- name: DB_PASSWORD\n',
  'value: ',
  'name: ',
  'DB Password ',
  '-----BEGIN',
  '-----BEGIN ',
  '-----BEGIN RSA PRIVATE KEY-----\n',
  'eyJ',
  'eyJa.',
  '://a:',
  '://a@',
  'https://a:b',
  '@ ://a ',
  'postgres://',
  'mongodb://a:',
  '--password ',
  '--token=',
  'mysql -p',
  'curl -u a:',
  'Bearer ',
  'ghp_',
  'glpat-',
  'github_pat_',
  'xoxb-a-',
  'SG.a.',
  'sk-ant-api03-',
  'AKIA',
  'aws_secret_access_key = ',
  'hvs.',
  'ops_ey',
  'ghs_1_a.',
  'a',
  ' ',
  '\n',
  '"',
  '{',
  '[',
];

/** `prefix` repeated to exactly `bytes` characters. */
export function repeatedTo(prefix: string, bytes: number): string {
  return prefix.repeat(Math.ceil(bytes / prefix.length)).slice(0, bytes);
}
