import { visibleLength } from './terminal';

/** Columns padded to their widest cell (colour codes do not count), two spaces apart. */
export function formatTable(
  header: string[] | undefined,
  rows: string[][],
): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return all.map(row =>
    row
      .map((cell, i) =>
        i === row.length - 1
          ? cell
          : cell + ' '.repeat(widths[i] - visibleLength(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** `label: value` lines with the values aligned. */
export function formatFields(fields: Array<[string, string]>): string[] {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  // An empty label continues the field above it.
  return fields.map(
    ([label, value]) =>
      `${(label ? `${label}:` : '').padEnd(width + 1)} ${value}`,
  );
}
