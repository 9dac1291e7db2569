import { InputError } from '@backstage/errors';
import { logCapture, stringsIn } from '../__testUtils__/logCapture';
import { plantedCorpus } from '../__testUtils__/plantedCorpus';
import { Redactor } from './Redactor';
import { redactingAuditor } from './redactingAuditor';
import { redactingLogger } from './redactingLogger';

const redactor = new Redactor();
const secretsIn = (strings: string[]) => {
  const all = strings.join('\n');
  return plantedCorpus.flatMap(f =>
    f.secrets.filter(s => all.includes(s)).map(s => `${f.name}: ${s}`),
  );
};

describe('redactingLogger', () => {
  it('redacts every planted format in messages, child fields and meta (Errors too), at every level, in order', async () => {
    const sink = logCapture();
    const logger = redactingLogger(sink.logger, redactor);
    const levels = ['error', 'warn', 'info', 'debug'] as const;
    plantedCorpus.forEach((format, i) => {
      const level = levels[i % levels.length];
      logger[level](`step ${i}: ${format.text}`, {
        output: format.text,
        [format.text]: 1,
      });
      logger.child({ note: format.text })[level](`child ${i}`);
      logger[level](`failed ${i}`, new InputError(`cannot use ${format.text}`));
    });
    await logger.flushed();

    expect(sink.lines).toHaveLength(plantedCorpus.length * 3);
    expect(
      sink.lines
        .filter(l => l.message.startsWith('step '))
        .map(l => l.message.split(':')[0]),
    ).toEqual(plantedCorpus.map((_, i) => `step ${i}`));
    const errors = sink.lines.filter(l => l.message.startsWith('failed '));
    expect(errors.every(l => l.meta instanceof InputError)).toBe(true);
    expect(secretsIn(sink.strings())).toEqual([]);
    expect(sink.strings().join('\n')).toContain('[REDACTED:');
  });
});

describe('redactingAuditor', () => {
  it('redacts meta and the error of a failed event, keeping the error class', async () => {
    const written: unknown[] = [];
    const inner = {
      createEvent: async (options: any) => {
        written.push(options);
        return {
          success: async (p: any) => void written.push(p),
          fail: async (p: any) => void written.push(p),
        };
      },
    };
    const auditor = redactingAuditor(inner, redactor);
    for (const format of plantedCorpus) {
      const event = await auditor.createEvent({
        eventId: 'x',
        meta: { reason: format.text },
      });
      await event.success({ meta: { note: format.text } });
      const failed = await auditor.createEvent({ eventId: 'y', meta: {} });
      const error = new InputError(`cannot resolve ${format.text}`);
      await failed.fail({ error, meta: { [format.text]: true } });
      expect(error).toBeInstanceOf(InputError);
    }
    expect(secretsIn(stringsIn(written))).toEqual([]);
  });
});
