/**
 * A command line the CLI cannot run as given: a missing or malformed
 * argument, an unknown flag, flags that exclude each other. It is reported
 * as one line naming the argument, then the command's usage, with exit code 2.
 * Its message starts with the argument it is about (`--part-size: …`).
 */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
}
