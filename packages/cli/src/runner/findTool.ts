import fs from 'node:fs';
import path from 'node:path';

/** The file a tool name resolves to on a PATH, like `command -v`; undefined when none. */
export function findTool(
  tool: string,
  searchPath: string | undefined,
): string | undefined {
  const candidates = tool.includes('/')
    ? [tool]
    : (searchPath ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map(dir => path.join(dir, tool));
  return candidates.find(file => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}
