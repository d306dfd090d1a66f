/** Splits text into lines, numbered from 1, skipping blank ones. Handles \r\n. */
export function* numberedLines(text: string): Generator<{ line: number; text: string }> {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let content = text.slice(start, end);
    if (content.endsWith('\r')) content = content.slice(0, -1);
    if (content.trim() !== '') yield { line, text: content };
    start = end + 1;
    line++;
  }
}
