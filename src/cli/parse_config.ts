/**
 * Reads the official QingStor tools' config file (`~/.qingstor/config.yaml`):
 * flat `key: value` lines, values optionally in single or double quotes, `#`
 * comments. That is all those files hold; anything else (indented or list
 * lines) is skipped rather than refused, so a file made for another tool
 * with extra settings still works.
 *
 * @param text The file's text.
 * @returns The settings by key, values unquoted, in an object without a prototype: a key such as
 * `__proto__` or `constructor` is a setting like any other, and no setting is inherited.
 */
export function parseConfig(text: string): Record<string, string> {
  const settings: Record<string, string> = Object.create(null);
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quoted = /^(["'])(.*?)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[2];
    // Unquoted, YAML starts a comment at a # after whitespace (or at the start).
    else value = value.replace(/(^|\s)#.*$/, "").trim();
    settings[match[1]] = value;
  }
  return settings;
}
