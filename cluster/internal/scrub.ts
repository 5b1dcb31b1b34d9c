/** Keeps connection strings and passwords out of errors, logs and health details. */

/** Removes every known secret, and any `scheme://user:password@` credential, from `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out.replace(/(\w+:\/\/[^:/?#@\s]*):[^@\s]*@/g, '$1:***@');
}
