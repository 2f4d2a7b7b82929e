/**
 * Secrets never reach a journal, report or log. Experiments legitimately carry them —
 * a database password in an exec fault's env, an Authorization header on a probe, a
 * token in a command line — and everything gameday writes is derived from the journal,
 * so redacting every event before it is written covers the reports too; the CLI passes
 * its own output through the same function as a last line of defence.
 *
 * Three rules, applied to copies (the run keeps the real values in memory):
 * - by name: values of `env` and `headers` entries whose names look secret
 *   (SECRET, TOKEN, PASSWORD, KEY, AUTH, COOKIE, …), and fields named like a credential
 *   anywhere;
 * - by shape, inside any string: AWS access key ids, AWS secret keys next to their names,
 *   Slack tokens and webhook URLs, `scheme://user:password@`, Authorization/Cookie/
 *   X-Api-Key header values, Bearer tokens, `NAME=value` and `--password value` for
 *   secret-looking names in command lines;
 * - by value: the values of secret-looking variables in gameday's own environment
 *   (AWS_SECRET_ACCESS_KEY, SLACK_BOT_TOKEN, PGPASSWORD, …) and every value already
 *   redacted by name (the experiment's own env and headers arrive first, in run.started),
 *   wherever they turn up later, e.g. echoed by a command into its output.
 *
 * `gameday recover` still works: an env value redacted by name is read back from the
 * recovering process's environment under the same name (see faults/revert.ts).
 */

export const redactedMarker = '[REDACTED]';

/** Names of environment variables and headers whose values are secrets. */
const secretName = /SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|SIGNATURE|PRIVATE/i;
/** Fields anywhere else whose values are credentials (narrower: "key" alone is too common a field name). */
const credentialNames = [
  'password',
  'passwd',
  'secret',
  'token',
  'api[-_]?key',
  'apikey',
  'authorization',
  'cookie',
  'x-api-key',
  'private[-_]?key',
  'client[-_]?secret',
  'access[-_]?token',
  'secret[-_]?access[-_]?key',
  'session[-_]?token',
];
const credentialField = new RegExp(`^(${credentialNames.join('|')})$`, 'i');
const secretMaps = /^(env|headers)$/i;

/** A value is not a secret when it only refers to one (`$PGPASSWORD`, `"${TOKEN}"`). */
const notAReference = `(?!["']?\\$)`;
/** What in a variable's name says its value is secret, in command lines (NAME=value). */
const secretWords = 'SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY';
const shellWord = `("[^"]*"|'[^']*'|[^\\s"';&|]+)`;

const shapes: Array<[RegExp, string]> = [
  // AWS access key ids (long-term AKIA, temporary ASIA).
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, redactedMarker],
  // AWS secret access keys, next to their name in any common spelling.
  [
    /(aws_?secret_?access_?key|secret_?access_?key|aws_?secret)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi,
    `$1$2${redactedMarker}`,
  ],
  // Slack tokens (bot, user, app, refresh, …) and incoming-webhook URLs.
  [/\bxox[abposr]-[A-Za-z0-9-]{6,}/g, redactedMarker],
  [/(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, `$1${redactedMarker}`],
  // Passwords in URLs: postgres://user:pass@host, https://user:pass@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:)[^\s@'"/]+@/gi, `$1${redactedMarker}@`],
  // Header values in text (curl -H 'Authorization: Bearer …', a logged request).
  [
    /\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)(\s*:\s*)[^"'\r\n]+/gi,
    `$1$2${redactedMarker}`,
  ],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/g, `Bearer ${redactedMarker}`],
  // NAME=value and --password value in command lines, for secret-looking names.
  [
    new RegExp(`\\b([A-Za-z0-9_]*(?:${secretWords})[A-Za-z0-9_]*)=${notAReference}${shellWord}`, 'gi'),
    `$1=${redactedMarker}`,
  ],
  [
    new RegExp(`(--?(?:password|passwd|token|secret|api-key)[= ]\\s*)${notAReference}${shellWord}`, 'gi'),
    `$1${redactedMarker}`,
  ],
];

export function isSecretName(name: string): boolean {
  return secretName.test(name);
}

export class Redactor {
  private values: string[];

  /** `env`: whose secret-looking variables' values are redacted wherever they appear. */
  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.values = [];
    for (const [name, value] of Object.entries(env)) if (isSecretName(name) && value) this.learn(value);
  }

  /** Redacts this value wherever it appears from now on. */
  learn(value: string): void {
    // Short values ('lab', 'true') would shred innocent text; real secrets are longer.
    if (value.length < 8 || value === redactedMarker || this.values.includes(value)) return;
    // Longest first, so a secret containing another is replaced whole.
    this.values = [...this.values, value].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(redactedMarker);
    for (const [pattern, replacement] of shapes) out = out.replace(pattern, replacement);
    return out;
  }

  /** A redacted deep copy of JSON-like data (functions and other non-JSON values are kept as they are). */
  value<T>(value: T): T {
    return this.walk(value, '', 0) as T;
  }

  private walk(value: unknown, key: string, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((item) => this.walk(item, key, depth + 1));
    const inSecretMap = secretMaps.test(key);
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      const secret =
        typeof item === 'string' && item !== '' && (credentialField.test(name) || (inSecretMap && isSecretName(name)));
      if (secret) this.learn(item);
      out[name] = secret ? redactedMarker : this.walk(item, name, depth + 1);
    }
    return out;
  }
}
