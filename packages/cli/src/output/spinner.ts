/**
 * A one-line progress indicator on stderr. On a TTY it animates and rewrites its line; elsewhere
 * it prints each new message once, so logs show progress without control characters.
 */
export interface Spinner {
  update(message: string): void;
  stop(finalLine?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startSpinner(message: string, interactive: boolean): Spinner {
  let current = message;
  if (!interactive) {
    process.stderr.write(`${message}\n`);
    return {
      update(next) {
        if (next !== current) {
          current = next;
          process.stderr.write(`${next}\n`);
        }
      },
      stop(finalLine) {
        if (finalLine) process.stderr.write(`${finalLine}\n`);
      },
    };
  }
  let frame = 0;
  const draw = () => {
    const width = process.stderr.columns || 80; // 0 when the terminal does not say
    const line = `${FRAMES[frame % FRAMES.length]} ${current}`.slice(
      0,
      Math.max(10, width - 1),
    );
    process.stderr.write(`\r\u001b[2K${line}`);
    frame++;
  };
  draw();
  const timer = setInterval(draw, 100);
  return {
    update(next) {
      current = next;
    },
    stop(finalLine) {
      clearInterval(timer);
      process.stderr.write('\r\u001b[2K');
      if (finalLine) process.stderr.write(`${finalLine}\n`);
    },
  };
}
