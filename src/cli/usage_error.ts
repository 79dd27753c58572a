/**
 * A command line the CLI cannot run as given: a missing or malformed
 * argument, an unknown flag, flags that exclude each other. It is reported
 * as one line naming the argument, then the command's usage, with exit code 2.
 */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";

  /**
   * Creates the error.
   *
   * @param message What is wrong, starting with the argument it is about (`--part-size: …`).
   */
  constructor(message: string) {
    super(message);
  }
}
