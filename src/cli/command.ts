/** A subcommand of `qingstor-multipart`. */
export interface Command {
  /** Its name on the command line. */
  name: string;
  /** Its arguments and a few words, for the top-level usage. */
  synopsis: string;
  /** Its full usage, printed by `--help` and after a bad argument. */
  usage: string;
  /**
   * The command's names for the library's parameters, so that a
   * `ValidationError` names what the user typed (`partSize` → `--part-size`);
   * a parameter is looked up by its first segment (`metadata` for `metadata.owner`).
   */
  arguments?: Record<string, string>;
  /**
   * Runs the command.
   *
   * @param args The arguments after the command's name.
   * @returns The exit code.
   */
  run(args: string[]): Promise<number>;
}
