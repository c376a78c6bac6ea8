/** Lower case without accents, so "resume" finds "Résumé". */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase();
}

/** Whether every word of `query` occurs in the title or the text. */
export function matchesQuery(query: string, title: string, text: string): boolean {
  const words = normalizeForSearch(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalizeForSearch(`${title}\n${text}`);
  return words.every((word) => haystack.includes(word));
}

/** The line of `text` where the query's first word occurs, shortened around it, for the result list. */
export function matchingLine(query: string, text: string, width = 90): string | null {
  const first = normalizeForSearch(query).split(/\s+/).find(Boolean);
  if (!first) return null;
  const line = text.split('\n').find((candidate) => normalizeForSearch(candidate).includes(first));
  if (!line) return null;
  if (line.length <= width) return line;
  const at = normalizeForSearch(line).indexOf(first);
  const start = Math.max(0, Math.min(at - Math.floor(width / 3), line.length - width));
  return `${start > 0 ? '…' : ''}${line.slice(start, start + width).trim()}${start + width < line.length ? '…' : ''}`;
}
