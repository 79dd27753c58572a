/**
 * A library `ValidationError` told in the command line's words: the
 * argument named as the user wrote it, and the library's parameter names
 * inside the message rewritten to flags (`minPartSize` → `--min-part-size`).
 *
 * A parameter is mapped by its first segment (`metadata.owner` → `--meta
 * owner`). Inside the rule (not in the value received, which is the user's),
 * a name is rewritten where it is the library's own spelling: camelCase
 * (`contentType`), or with a segment after a dot (`metadata.owner`); plain
 * words (`key`, `bucket`) are left alone, as prose uses them too.
 *
 * @param parameter The error's parameter, e.g. `metadata.owner` or `partSize`.
 * @param message The error's message.
 * @param names The command's names for the library's parameters (`partSize` → `--part-size`).
 * @returns One line: the message alone when it already starts with the argument, else
 * `argument: message`.
 */
export function validationMessage(
  parameter: string,
  message: string,
  names: Readonly<Record<string, string>>,
): string {
  const rename = (name: string) => {
    const [first, ...rest] = name.split(".");
    const flag = Object.hasOwn(names, first) ? names[first] : first;
    return [flag, ...rest].join(" ");
  };
  const argument = rename(parameter);
  const cut = message.lastIndexOf(", received ");
  const [rule, received] = cut < 0 ? [message, ""] : [message.slice(0, cut), message.slice(cut)];
  const rewritten = rule.replace(
    /(?<![\w.-])([a-z]+[A-Z]\w*|[a-z]\w*(?:\.[\w-]+)+)(?![\w-])/g,
    (name) => Object.hasOwn(names, name.split(".")[0]) ? rename(name) : name,
  ) + received;
  return rewritten.startsWith(argument + " ") ? rewritten : `${argument}: ${rewritten}`;
}
