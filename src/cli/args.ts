import { UsageError } from "./usage_error.ts";

/**
 * Runs a `node:util` `parseArgs` call and turns what it throws into a
 * {@linkcode UsageError} that names the flag. Its own messages vary between
 * Node, Deno and Bun and explain quoting of positionals; ours are one short line.
 *
 * @param parse The `parseArgs` call.
 * @returns What `parseArgs` returned.
 * @throws {UsageError} If an option is unknown, lacks its value, or has one it must not.
 */
export function parseCommand<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const text = error instanceof Error ? error.message : String(error);
    if (code == "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      // Node and Deno write `Unknown option '-x'`; Bun writes `'x'` for a short one in a group.
      const name = /^Unknown option '([^']+)'/.exec(text)?.[1] ?? "";
      throw new UsageError(`unknown option ${name.startsWith("-") ? name : "-" + name}`);
    }
    // `Option '--resume <value>' argument missing`, `Option '-v, --verbose' does not take …`:
    // the long name when there is one.
    const flag = /^Option '(?:-\w, )?(-{1,2}[^' ]+)/.exec(text)?.[1];
    if (code == "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
      throw new UsageError(
        /does not take/.test(text)
          ? `${flag} takes no value`
          // Covers a missing value and one that looks like another flag (`--prefix -x`).
          : `${flag} needs a value (write ${flag}=VALUE for one that starts with -)`,
      );
    }
    throw new UsageError(text.split(/\.\s/)[0]);
  }
}

/**
 * Checks the number of positional arguments against their names.
 *
 * @param positionals The positionals given.
 * @param names The names of those expected, in order, as the usage writes them (`<bucket>`).
 * @param required How many of them must be given; the rest are optional.
 * @throws {UsageError} Naming the first one missing, or the first one too many.
 */
export function expectPositionals(
  positionals: string[],
  names: string[],
  required = names.length,
): void {
  if (positionals.length < required) {
    throw new UsageError(`missing ${names.slice(positionals.length, required).join(" ")}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  }
}

/**
 * Whether a flag's value is a whole, non-negative number: digits only.
 * `Number()` alone would take `""`, `" 4"`, `"0x10"` and `"1e3"`.
 *
 * @param text The value.
 * @returns True for digits only.
 */
export function isWholeNumber(text: string): boolean {
  return /^\d+$/.test(text);
}

/**
 * Reads a whole, non-negative number given to a flag.
 *
 * @param text The flag's value, or `undefined` when it was not given.
 * @param argument The flag, for the message.
 * @returns The number, or `undefined` when not given.
 * @throws {UsageError} If the value is not digits only.
 */
export function parseWholeNumber(text: string | undefined, argument: string): number | undefined {
  if (text === undefined) return undefined;
  if (!isWholeNumber(text)) {
    throw new UsageError(`${argument}: expected a whole number, received ${JSON.stringify(text)}`);
  }
  return Number(text);
}
