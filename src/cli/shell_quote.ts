/**
 * Quotes one word for a POSIX shell, so that a printed command (the one that
 * resumes an upload) can be pasted as is, whatever the file name holds.
 *
 * @param word The word.
 * @returns The word itself when it is safe, else the word in single quotes.
 */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
