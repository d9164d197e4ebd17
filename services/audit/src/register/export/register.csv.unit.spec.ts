import { csvCell } from '@crm/http';

describe('register CSV cells', () => {
  it('given plain text, then it is left alone; given a comma, quote or newline, then RFC 4180 quoting', () => {
    expect(csvCell('Customer service')).toBe('Customer service');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it('given a cell a spreadsheet would run as a formula, then it is neutralised with an apostrophe', () => {
    expect(['=1+1', '+1+A1', '-1+cmd', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'=1+1", "'+1+A1", "'-1+cmd", "'@SUM(A1)", "'\tx"]);
    // A plain signed number is data, not a formula: left as it is (an E.164 phone starts with +).
    expect(['+1', '-1'].map(csvCell)).toEqual(['+1', '-1']);
  });
});
