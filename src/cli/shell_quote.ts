import { hasControl, PROGRAM } from "./output.ts";

/**
 * Quotes one word for a POSIX shell, so that a printed command (the one that
 * resumes an upload) can be pasted as is, whatever the file name holds. A
 * word with control characters is written `$'…'` with each of them as UTF-8
 * bytes in `\xHH` escapes (POSIX.1-2024; bash, zsh, ksh, dash 0.5.12+ and
 * busybox read it), so that the printed line is one line and shows them.
 *
 * @param word The word.
 * @returns The word itself when it is safe, else the word quoted.
 */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (!hasControl(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  let quoted = "";
  for (const char of word) {
    if (char == "'" || char == "\\") quoted += "\\" + char;
    else if (hasControl(char)) {
      for (const byte of new TextEncoder().encode(char)) {
        quoted += `\\x${byte.toString(16).padStart(2, "0")}`;
      }
    } else quoted += char;
  }
  return `$'${quoted}'`;
}

/**
 * A command line of this program, ready to paste: the subcommand and its
 * options, then `--`, then the positional arguments, so that a file or key
 * that starts with `-` is never read as an option.
 *
 * @param words The subcommand, then its options and their values.
 * @param positionals The positional arguments.
 * @returns The command, each word quoted as needed.
 */
export function shellCommand(words: string[], positionals: string[]): string {
  return [PROGRAM, ...words, "--", ...positionals].map(shellQuote).join(" ");
}
