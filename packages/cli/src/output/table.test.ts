import { stripVTControlCharacters, styleText } from 'node:util';
import { formatFields, formatTable } from './table';

describe('formatTable', () => {
  it('aligns columns by visible width, ignoring colour codes', () => {
    const lines = formatTable(
      ['RUNG', 'STATUS', 'REF'],
      [
        ['local', styleText('green', 'proven'), 'a1b2c3d'],
        ['dev', 'empty', '-'],
      ],
    );
    const plain = lines.map(l => stripVTControlCharacters(l));
    expect(plain).toEqual([
      'RUNG   STATUS  REF',
      'local  proven  a1b2c3d',
      'dev    empty   -',
    ]);
  });
});

describe('formatFields', () => {
  it('aligns values after their labels', () => {
    expect(
      formatFields([
        ['App', 'x'],
        ['Ladder', 'y'],
      ]),
    ).toEqual(['App:    x', 'Ladder: y']);
  });
});
