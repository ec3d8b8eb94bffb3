/**
 * Whether a command may colour its output: the user did not turn it off (`--no-color`), the
 * stream is a terminal, and `NO_COLOR` is not set to a non-empty value (https://no-color.org).
 */
export function useColour(
  flag: boolean,
  stream: { isTTY?: boolean } = process.stdout,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const noColor = env.NO_COLOR;
  return flag && stream.isTTY === true && (noColor === undefined || noColor === '');
}
